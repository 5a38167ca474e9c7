"""What people look at: charts and the gallery, the verdict, report.html, the what-if app.
May import ``sim.experiments`` and below; nothing but the command line imports it back."""
