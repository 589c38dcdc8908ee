#include <iostream>

#include "cli/command.h"

namespace clickstream::cli {

void AddProduceCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code) {
  CLI::App* cmd = root.add_subcommand("produce", "Send generated click events to a Kafka topic");
  cmd->callback([&globals, &exit_code] {
    exit_code = ReportError(Error{ErrorCode::kInternal, "the producer is being built (issue 2); brokers " + globals.brokers});
  });
}

}  // namespace clickstream::cli
