"""Standard input read ahead by a thread, so the server knows when more messages are waiting.

pygls reads a message with `readline()` and `read(n)` calls in its executor; between two
messages nothing tells whether the client has already sent more. The analysis debounce
needs exactly that: while changes are still queued (a burst typed, pasted or replayed
faster than the server reads), compiling the current text is wasted work. This reader
fills a buffer from the file descriptor as data arrives and answers `pending()`.
Read-ahead is bounded (`MAX_AHEAD`): past it the thread waits for the server to catch up.
"""

from __future__ import annotations

import os
import threading

MAX_AHEAD = 64 * 2**20
"""Bytes read ahead of the server at most."""


class ReadAhead:
    """A file-like object over a file descriptor with `readline`, `read` and `pending`."""

    def __init__(self, fd: int, chunk: int = 1 << 16) -> None:
        self.fd = fd
        self.chunk = chunk
        self.buffer = bytearray()
        self.eof = False
        self.cond = threading.Condition()
        threading.Thread(target=self._fill, name="archc-stdin", daemon=True).start()

    def _fill(self) -> None:
        while True:
            with self.cond:
                while len(self.buffer) >= MAX_AHEAD:
                    self.cond.wait()
            try:
                data = os.read(self.fd, self.chunk)
            except OSError:
                data = b""
            with self.cond:
                if data:
                    self.buffer += data
                else:
                    self.eof = True
                self.cond.notify_all()
            if not data:
                return

    def _take(self, size: int) -> bytes:
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        self.cond.notify_all()
        return data

    def readline(self) -> bytes:
        with self.cond:
            while b"\n" not in self.buffer and not self.eof:
                self.cond.wait()
            end = self.buffer.find(b"\n")
            return self._take(end + 1 if end >= 0 else len(self.buffer))

    def read(self, size: int = -1) -> bytes:
        with self.cond:
            while (size < 0 or len(self.buffer) < size) and not self.eof:
                self.cond.wait()
            return self._take(len(self.buffer) if size < 0 else min(size, len(self.buffer)))

    def pending(self) -> bool:
        """Has input arrived that the server has not read yet?"""
        with self.cond:
            return bool(self.buffer)
