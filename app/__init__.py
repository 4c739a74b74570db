"""The trainer's app: the Autonomy Dilemma, live in a browser, offline, laid out for a projector.

`app/app.py` holds the Solara pages that `tracktwo app` serves (with `app.css` and two small Vue
templates: the browser-kept play clock and the full-screen button). The other modules need no
browser: `runs` (what a trainer sets, the model they step, the speeds), `presets` (teaching
scenarios, the seed each was checked on and the claim its text makes), `scoreboard` (rows per
run and means over seeds), `evaluation` (each meeting's attribution and contribution, for the
Evaluate tab), `drawing` (matplotlib figures), `views` (their Solara wrappers) and `about` (the
model in plain words).
"""
