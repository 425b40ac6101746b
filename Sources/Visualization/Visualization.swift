// SVG pictures and reports of constructions (issue 7).
