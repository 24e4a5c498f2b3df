"""The Qt user interface: windows, dialogs and the worker that runs database tasks.

Nothing outside this package imports Qt. The widgets call the functions of ``gnapp.db``
(and later ``sync`` and ``forms``) and hold no business rule of their own.
"""
