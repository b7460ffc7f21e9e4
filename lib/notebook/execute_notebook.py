#!/usr/bin/python3
"""Execute a notebook headless with the Deno kernel and write the executed copy.

Usage: execute_notebook.py INPUT.ipynb OUTPUT.ipynb [--timeout SECONDS]

This is `jupyter nbconvert --execute` (Debian's nbclient) with one change: after a cell's kernel
status turns idle, outputs of that cell that arrive within a short grace period are still
recorded. The Deno kernel sometimes publishes a large `execute_result` (an SVG figure) after its
idle status, and plain nbclient then drops the output silently.
"""
import argparse
import queue
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError
from nbclient.util import ensure_async

GRACE_SECONDS = 0.3


class GraceClient(NotebookClient):
    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        idle = False
        while True:
            try:
                msg = await ensure_async(
                    self.kc.iopub_channel.get_msg(timeout=GRACE_SECONDS if idle else None)
                )
            except queue.Empty:
                return
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            if idle and msg["msg_type"] == "status":
                continue
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                idle = True


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--timeout", type=int, default=-1, help="seconds per cell; -1 for none")
    parser.add_argument("--cwd", default=None)
    parser.add_argument("--kernel", default="deno", help="kernelspec name (the set-up installs one per checkout)")
    args = parser.parse_args()
    notebook = nbformat.read(args.input, as_version=4)
    client = GraceClient(
        notebook,
        kernel_name=args.kernel,
        timeout=None if args.timeout < 0 else args.timeout,
        record_timing=False,
        resources={"metadata": {"path": args.cwd or "."}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        print(str(error).strip().splitlines()[-1] if str(error).strip() else "cell execution failed", file=sys.stderr)
        nbformat.write(notebook, args.output)
        return 1
    nbformat.write(notebook, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
