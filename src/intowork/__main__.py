from intowork.cli import app

app(prog_name="intowork")
