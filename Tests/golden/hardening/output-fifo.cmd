bash Tests/golden/hardening/in-temp.sh exact-interp 'mkfifo F; (wc -c < F > n.txt &); $EI draw M.json D.json -o F; echo exit $?; sleep 0.5; test -p F && echo still a FIFO; cat n.txt'
