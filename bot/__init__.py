"""citybot's Telegram side: aiogram 3 handlers over the `knowledge` library."""
