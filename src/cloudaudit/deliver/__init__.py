"""Where reports go after a run: uploads (``--upload``), notifications (``--notify``)."""
