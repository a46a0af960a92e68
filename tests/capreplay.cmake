# capreplay's lab tests: a recorded feed (tools/replay_gen.py) replayed
# through a veth into capd and re-recorded, judged by tshark, capinfos and
# capstat against the original (tools/replay_judge.py): timing and bursts,
# drift over 60 s, --speed/--pps/--loop and frame mode with --map, and the
# refusals.  The timing tests run alone (RUN_SERIAL): a unit test or fuzzer
# on one of the 2 CPUs would be measured as the replay's lateness.
capd_lab_test(lab_capreplay_timing capreplay_timing.sh)
capd_lab_test(lab_capreplay_drift capreplay_drift.sh)
capd_lab_test(lab_capreplay_rates capreplay_rates.sh)
capd_lab_test(lab_capreplay_refuse capreplay_refuse.sh)
set_tests_properties(lab_capreplay_timing lab_capreplay_drift lab_capreplay_rates PROPERTIES
                     RUN_SERIAL TRUE)
set_tests_properties(lab_capreplay_drift PROPERTIES TIMEOUT 180)
