"""Drives one real `pretext` kernel through a list of cells, as a person at a notebook does.

Usage: kernel-session.py <cells.json> <result.json>, run with the kernel's cwd as cwd.
Each cell is {"source": str} or {"source": str, "interruptAtStep": n}: the latter sends a
Jupyter interrupt (the kernelspec's signal mode, as the notebook's stop button does) once the
cell's live training dashboard shows step n. The result lists, per cell, its reply status, the
error (if any), its stdout/stderr text and the last dashboard state it displayed.
"""
import json
import sys
import time

from jupyter_client.manager import start_new_kernel

DASHBOARD = "application/vnd.pretext.dashboard+json"
CELL_TIMEOUT = 300


def run_cell(km, kc, cell):
    msg_id = kc.execute(cell["source"])
    result = {"status": None, "error": None, "stdout": "", "stderr": "", "dashboard": None}
    interrupt_at = cell.get("interruptAtStep")
    interrupted = False
    deadline = time.time() + CELL_TIMEOUT
    reply_seen = False
    idle_seen = False
    while not (reply_seen and idle_seen):
        if time.time() > deadline:
            raise TimeoutError(f"cell did not finish in {CELL_TIMEOUT} s: {cell['source'][:80]}")
        try:
            msg = kc.get_iopub_msg(timeout=0.2)
        except Exception:
            msg = None
        if msg is not None and msg["parent_header"].get("msg_id") == msg_id:
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                result[content["name"]] += content["text"]
            elif kind in ("display_data", "update_display_data", "execute_result"):
                dashboard = content.get("data", {}).get(DASHBOARD)
                if dashboard is not None:
                    result["dashboard"] = dashboard
                    step = dashboard.get("progress", {}).get("step", 0)
                    if interrupt_at is not None and not interrupted and step >= interrupt_at:
                        km.interrupt_kernel()
                        interrupted = True
            elif kind == "error":
                result["error"] = {"ename": content["ename"], "evalue": content["evalue"]}
            elif kind == "status" and content["execution_state"] == "idle":
                idle_seen = True
        if not reply_seen:
            try:
                reply = kc.get_shell_msg(timeout=0.05)
            except Exception:
                reply = None
            if reply is not None and reply["parent_header"].get("msg_id") == msg_id:
                result["status"] = reply["content"]["status"]
                reply_seen = True
    result["interrupted"] = interrupted
    if result["status"] != "ok":
        # tslab aborts requests that arrive within 200 ms of a failed cell (its stop-on-error);
        # a person never clicks that fast.
        time.sleep(0.5)
    return result


def main():
    cells = json.load(open(sys.argv[1]))
    km, kc = start_new_kernel(kernel_name="pretext", startup_timeout=120)
    try:
        results = [run_cell(km, kc, cell) for cell in cells]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    json.dump(results, open(sys.argv[2], "w"), indent=1)


if __name__ == "__main__":
    main()
