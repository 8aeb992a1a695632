// suanlid's command line beyond running the node: configuration loading,
// logging set-up, and the backup and restore commands (node/cli_backup.cc).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "genesis/node_config.h"

namespace suanli::node_cli {

// The configuration from --config and/or flags (flags override the file).
// `required`: flag names (data-dir, genesis, key, listen, node-id) that must
// end up set; otherwise nullopt with `error` naming the first missing one.
std::optional<genesis::NodeConfig> load_config(const boost::program_options::variables_map& vm,
                                               const std::vector<std::string>& required,
                                               std::string* error);

// Logs to stderr. Under systemd (JOURNAL_STREAM set) each line starts with
// its syslog priority (<3>, <4>, <6>, <7>) and carries no timestamp, so that
// journald records the level and its own time; otherwise lines carry an
// ISO 8601 time and the level, coloured on a terminal. `floor`, when not
// empty, raises the level to at least that one (for the short commands).
void setup_logging(const std::string& level, const std::string& floor);

// `suanlid backup --to DIR`: a running node (its RPC answers) writes the
// backup through admin_backup, with the config's rpc_token; a stopped node's
// data directory is backed up directly. Exit 0, 1 on failure, 2 for usage.
int run_backup(const boost::program_options::variables_map& vm, const genesis::NodeConfig& config);

// `suanlid restore --from DIR`: restores into the config's (new, empty)
// data directory for the config's node id and key, which must be new to
// the cluster. Exit 0, 1 on failure, 2 for usage.
int run_restore(const boost::program_options::variables_map& vm, const genesis::NodeConfig& config);

}  // namespace suanli::node_cli
