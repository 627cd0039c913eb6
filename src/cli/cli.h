// The `visionstock` command line: serve, detect, version. Every option can also be given as an
// environment variable VISIONSTOCK_<OPTION> (e.g. VISIONSTOCK_PORT=9000); the command line wins.
#pragma once

namespace vs::cli {

// Parses the command line, runs the chosen command and returns the process exit code.
int Run(int argc, char** argv);

}  // namespace vs::cli
