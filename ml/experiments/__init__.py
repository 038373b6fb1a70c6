"""A/B tests of the recommendations: experiments, arm assignment, the exposure log, outcomes, statistics.

    definition   Experiment, Arm, parse_experiment(s) ("name:arm=weight,...")
    assignment   assign(experiment, customer, salt): a salted hash, the same arm in every process
    log          ExperimentLog: definitions, exposures and 👍/👎 votes in the database
    outcomes     customer_outcomes(exposures, transactions, window): converted, spend
    stats        Wilson interval, two-proportion z-test, sample size per arm
    report       build_report -> results.ExperimentReport
    serving      Experiments: the arm answering a /recommend, logged
    replay       the offline loop on a past log (python -m ml.experiments replay --data online_retail)

No Slack here.
"""
