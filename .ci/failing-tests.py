"""Names the tests that failed in JUnit XML reports, with the start of each failure's message (CI's log tail)."""
import glob
import os
import sys
import xml.etree.ElementTree as ET

found = 0
for folder in sys.argv[1:]:
    for path in sorted(glob.glob(os.path.join(folder, "TEST-*.xml"))):
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            print(f"unreadable report {path}: {e}")
            continue
        for case in root.iter("testcase"):
            for kind in ("failure", "error"):
                for problem in case.findall(kind):
                    found += 1
                    message = (problem.get("message") or problem.text or "").strip().replace("\n", " ")
                    print(f"FAILED {case.get('classname')}.{case.get('name')} ({kind}): {message[:400]}")
print(f"{found} failing test(s) in the reports" if found else "no failing test in the reports (a fork crashed or timed out?)")
