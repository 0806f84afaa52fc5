"""A test window: known text drawn by Tk, changed on command, clicks reported.

Run as a child process by the tests: ``python tkwindow.py TITLE GEOMETRY``, then JSON
commands on stdin, one a line. ``{"blocks": [["line", ...], ...], "gap": 40, "font": 20}``
replaces the text: each block is a label, ``gap`` pixels apart, in DejaVu Sans of ``font``
points. ``{"button": "Continue"}`` adds a button whose clicks print ``clicked Continue``.
Prints ``ready`` once the window is drawn.
"""

from __future__ import annotations

import json
import sys
import threading
import tkinter as tk


def main() -> None:
    title, geometry = sys.argv[1], sys.argv[2]
    root = tk.Tk()
    root.title(title)
    root.geometry(geometry)
    root.configure(bg="white")
    frame = tk.Frame(root, bg="white")
    frame.pack(fill="both", expand=True, padx=20, pady=20)
    commands: list[dict] = []

    def apply() -> None:
        while commands:
            command = commands.pop(0)
            if "blocks" in command:
                for child in frame.winfo_children():
                    child.destroy()
                for i, block in enumerate(command["blocks"]):
                    tk.Label(
                        frame,
                        text="\n".join(block),
                        font=("DejaVu Sans", command.get("font", 20)),
                        bg="white",
                        fg="black",
                        justify="left",
                        anchor="w",
                    ).pack(anchor="w", pady=(command.get("gap", 40) if i else 0, 0))
            if "button" in command:
                name = command["button"]
                tk.Button(
                    frame,
                    text=name,
                    font=("DejaVu Sans", 20),
                    command=lambda name=name: print(f"clicked {name}", flush=True),
                ).pack(anchor="w")
        root.update_idletasks()
        root.after(50, lambda: print("ready", flush=True))

    closed = threading.Event()

    def read_stdin() -> None:  # Tk must only be touched from its own thread: we hand over
        for raw in sys.stdin:
            commands.append(json.loads(raw))
        closed.set()

    def poll() -> None:
        if commands:
            apply()
        if closed.is_set() and not commands:
            root.destroy()
            return
        root.after(20, poll)

    threading.Thread(target=read_stdin, daemon=True).start()
    root.after(20, poll)
    root.mainloop()


if __name__ == "__main__":
    main()
