"""The trainer's app: the Autonomy Dilemma, live in a browser, offline.

`app/app.py` is the Solara page that `tracktwo app` serves. The other modules hold no UI code
that needs a browser: `runs` (what a trainer sets, and the model they step), `presets` (one-click
teaching scenarios with their explanations) and `views` (matplotlib drawings and their Solara
wrappers).
"""
