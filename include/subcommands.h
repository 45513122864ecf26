/*
 * subcommands.h — `portus merge|diff|report ...`: tools over result files,
 * dispatched by main() when the first argument names one. Each gets argv
 * without the "portus" (argv[0] is the subcommand's name), parses its own
 * options with the one parser they share (src/sweep/subargs.h: options
 * anywhere among the files, "--" ends them), and returns the process exit status: 0 success, 1 (diff: changes
 * found; merge/report: runtime failure), 2 bad input with a one-line error.
 */
#ifndef PORTUS_SUBCOMMANDS_H
#define PORTUS_SUBCOMMANDS_H

int portus_merge_main(int argc, char **argv);
int portus_diff_main(int argc, char **argv);
int portus_report_main(int argc, char **argv);

#endif
