// visionstock: see src/cli/cli.h for the commands.
#include "cli/cli.h"

int main(int argc, char** argv) { return vs::cli::Run(argc, argv); }
