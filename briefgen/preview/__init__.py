"""Preview: `briefgen serve`, the live preview on 127.0.0.1.

The state of every brief (`state`), the HTTP pages and event stream (`server`), the warm
PDF process (`pdf_worker`) and the inotify watcher (`watch`). Entry points:
`state.Preview`, `server.PreviewServer`, `pdf_worker.PdfWorker`.
"""
