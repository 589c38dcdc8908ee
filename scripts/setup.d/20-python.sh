# The project venv (.venv) with every Python package pinned in requirements.txt.
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV"
  python3 -m venv "$VENV"
fi
if ! step_done python requirements.txt; then
  log "installing Python packages (requirements.txt)"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements.txt
  step_mark python requirements.txt
fi
