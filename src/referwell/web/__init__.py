"""The clinician web app and the JSON API: `create_app(config)` in `referwell.web.app`.

Nothing is built at import; `uvicorn --factory referwell.web.app:create_app`
serves the installation `load_config()` describes.
"""
