"""Re-solve MPS files written by lodestone-lp with independent readers.

Usage: python mps_check.py FILE.mps...
Prints one JSON object per file and reader:
  {"file": ..., "reader": "highspy"|"cbc", "status": ..., "objective": ...}
highspy: HiGHS's own MPS reader (a different HiGHS release from ours).
cbc: the CBC binary that PuLP ships, reading the file itself; CBC ignores
OBJSENSE, so a file declaring MAX is solved with `-max`.
"""
import json
import re
import subprocess
import sys

import highspy


def solve_highspy(path):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    st = h.readModel(path)
    if st == highspy.HighsStatus.kError:
        return {"status": "read error", "objective": None}
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    return {"status": status, "objective": h.getInfo().objective_function_value}


def cbc_path():
    try:
        import pulp
        return pulp.PULP_CBC_CMD().path
    except Exception:  # noqa: BLE001 - report missing CBC as such
        return None


def solve_cbc(path, cbc):
    text = open(path).read()
    is_max = re.search(r"^OBJSENSE\s*\n\s*MAX", text, re.M) is not None
    args = [cbc, path] + (["-max"] if is_max else []) + ["-ratio", "0", "-solve", "-quit"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=120).stdout
    if "errors on input" in out:
        return {"status": "read error", "objective": None}
    # MIPs end with "Objective value: v" (8 decimals), LPs (CLP) with
    # "Optimal objective v" (about 8 significant digits).
    m = re.search(r"^(?:Objective value:|Optimal objective)\s*(\S+)", out, re.M)
    optimal = "Optimal solution found" in out or re.search(r"^Optimal objective", out, re.M)
    status = "Optimal" if optimal else "not optimal"
    res = {"status": status, "objective": float(m.group(1)) if m else None}
    if status != "Optimal":
        sys.stderr.write(f"cbc on {path}:\n{out[-3000:]}\n")
    return res


def main():
    cbc = cbc_path()
    for path in sys.argv[1:]:
        print(json.dumps({"file": path, "reader": "highspy", **solve_highspy(path)}))
        if cbc:
            print(json.dumps({"file": path, "reader": "cbc", **solve_cbc(path, cbc)}))


if __name__ == "__main__":
    main()
