bash Tests/golden/hardening/in-temp.sh exact-interp 'time_start=$SECONDS; $EI construct D.json -o nodir/x.json; echo exit $?'
