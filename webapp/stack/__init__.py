"""`make run`: prepare the database and model, then run Redis, web, worker and beat together."""
