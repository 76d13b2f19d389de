"""The practice database: models, engine, unit of work, migrations, case import and export.

Nothing here connects at import; see `engine.make_engine` and `uow.UnitOfWork`.
"""
