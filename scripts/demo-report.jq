# Renders the planned tunnels, paths and weak points of one crosslink_mesh from
# `show -json` of a saved plan (used by scripts/demo.sh).
#   jq -r --arg addr crosslink_mesh.quickstart -f scripts/demo-report.jq plan.json

def pad($n): tostring as $s | if ($s | length) >= $n then $s else $s + (" " * ($n - ($s | length))) end;
# table: an array of rows (arrays of cells, the first row the header) as aligned lines.
def table:
  . as $rows
  | ($rows[0] | length) as $nc
  | [range(0; $nc) as $i | ($rows | map(.[$i] | tostring | length) | max)] as $w
  | $rows[] | "  " + ([range(0; $nc) as $i | (.[$i] | pad($w[$i]))] | join("  ") | sub(" +$"; ""));
def route: if type == "array" then join(" > ") else tostring end;
# paths_str($more): path objects as "a > b > c ×2 | ..." (×n: over n tunnels), with how many were left out.
def paths_str($more): (map(.sites | join(" > ")) | group_by(.) | map(.[0] + (if length > 1 then " ×\(length)" else "" end)) | join("  |  "))
  + (if ($more // 0) > 0 then "  (+\($more) more)" else "" end);
# route_via($tunnels): the sites of a path, then the tunnels it takes when known.
def route_via($tunnels):
  route + (if ($tunnels | type) == "array" and ($tunnels | length) > 0 then " (via " + ($tunnels | join(", ")) + ")" else "" end);

[.planned_values | .. | objects | select(.address? == $addr)] as $found
| if ($found | length) == 0 then error("\($addr) is not in the plan") else $found[0].values end
| . as $v
| ($v.tunnels // error("\($addr): tunnels are null or unknown in the plan")) as $t
| ($v.paths // []) as $p
| ($v.weak_points // []) as $w
| "\($addr) (mesh \"\($v.name // "?")\"): \($t | length) tunnels, \($p | length) site pairs",
  "",
  "TUNNELS",
  ([["KEY", "ENDS", "TRANSPORT", "INSIDE /30", "ADDRESSES (a / b)", "ASNS (a / b)"]]
   + ($t | map([.key, "\(.a_site) <-> \(.b_site)", (.transport // "-"), .inside_cidr,
                "\(.a_address) / \(.b_address)", "\(.a_asn) / \(.b_asn)"]))
   | table),
  "",
  "PATHS (per direction, as each cloud routes: single, ecmp = spread over all, one_of = a router picks one)",
  ([["FROM -> TO", "SELECTION", "PATHS", "AFTER THOSE FAIL"]]
   + ($p | map(. as $x | [[.a, .b, .a_to_b], [.b, .a, .b_to_a]][] | . as [$s, $d, $f]
       | ["\($s) -> \($d)", $f.selection, (($f.paths // []) | paths_str($f.more)),
          (if $f.backup_selection == "none" then "none"
           else $f.backup_selection + ": " + (($f.backup_paths // []) | paths_str($f.backup_more)) end)]))
   | table),
  "",
  "WEAK POINTS (elements whose loss would break a pair)",
  (if ($w | length) == 0 then "  none" else $w[] | "  " + (if type == "string" then . else tojson end) end)
