bash Tests/golden/hardening/in-temp.sh exact-interp 'ln -s D.json L.json; $EI construct D.json -o L.json; echo exit $?'
