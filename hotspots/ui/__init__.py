"""The Streamlit views of the app, one module per SARA step; ``app.py`` lays them out.

Widgets and layout only: every figure comes from a library function the CLI can call too.
"""
