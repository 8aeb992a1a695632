// `suanlid backup` and `suanlid restore` against real suanlid processes: an
// online backup of a running node, a restore that becomes a new member
// through a proposal and catches up, and every refusal (reused identity,
// existing target, tampered or foreign backups).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "genesis/node_config.h"
#include "tests/integration/process_util.h"

namespace suanli::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string config_of(ProcessDevnet& d, int i) { return d.devnet().nodes.at(i).config_path; }

ledger::Tx transfer(ProcessDevnet& d, uint64_t fen) {
  return d.make("bj-ai", ledger::TxType::kTransfer,
                ledger::Transfer{d.key("gz-supercomputing").pubkey, fen, ""});
}

// Writes a copy of node i's config with `changes` applied; returns its path.
std::string config_variant(ProcessDevnet& d, int i, const std::string& name, const json& changes) {
  std::ifstream in(config_of(d, i));
  json c = json::parse(in);
  for (const auto& [k, v] : changes.items()) {
    if (v.is_null()) {
      c.erase(k);
    } else {
      c[k] = v;
    }
  }
  std::string path = fs::path(config_of(d, i)).parent_path() / (name + ".json");
  std::ofstream(path) << c.dump(2) << "\n";
  return path;
}

// Regulators of two provinces add outsider node o as a learner.
::testing::AssertionResult approve_learner(ProcessDevnet& d, int o, const std::string& net_dir,
                                           const std::string& proposer,
                                           const std::string& approver) {
  const std::string& id = d.devnet().nodes.at(o).node_id;
  auto key = genesis::load_node_key(net_dir + "/" + id + ".key.json");
  if (!key) return ::testing::AssertionFailure() << key.status().to_string();
  ledger::Tx propose = d.make(proposer, ledger::TxType::kNodePropose,
                              ledger::NodePropose{ledger::NodeAction::kAddLearner, id, key->pubkey,
                                                  d.devnet().nodes.at(o).listen});
  if (!submit_committed(d, 0, propose)) return ::testing::AssertionFailure() << "node_propose";
  if (!submit_committed(d, 0,
                        d.make(approver, ledger::TxType::kProposalApprove,
                               ledger::ProposalApprove{propose.hash}))) {
    return ::testing::AssertionFailure() << "proposal_approve";
  }
  return ::testing::AssertionSuccess();
}

TEST(BackupTest, OnlineBackupRestoresIntoANewMemberThatCatchesUpThroughAProposal) {
  const std::string dir = temp_dir("backup-online");
  fs::remove_all(dir);
  ProcessDevnet d(3, dir + "/net");
  ASSERT_TRUE(d.start_all());
  std::vector<std::string> before;
  for (int k = 0; k < 5; ++k) {
    auto h = submit_committed(d, k % 3, transfer(d, 1));
    ASSERT_TRUE(h) << k;
    before.push_back(*h);
  }
  const uint64_t h0 = height_of(d, 1);

  // Node 1 runs: the backup goes through admin_backup with its token.
  CommandResult b =
      run_suanlid("backup --config " + config_of(d, 1) + " --to " + dir + "/b1 --json");
  ASSERT_EQ(b.status, 0) << b.output;
  json info = json::parse(b.output);
  EXPECT_EQ(info["format"], "suanli-backup-1");
  EXPECT_EQ(info["source_node"], d.devnet().nodes[1].node_id);
  const uint64_t backup_height = info["height"];
  EXPECT_GE(backup_height, h0);
  EXPECT_TRUE(fs::exists(dir + "/b1/backup.json"));
  EXPECT_TRUE(d.wait_ready(1, 2000)) << "the node stopped serving after the backup";

  // Written once: a second backup to the same place is refused.
  CommandResult again = run_suanlid("backup --config " + config_of(d, 1) + " --to " + dir + "/b1");
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.output.find("already exists"), std::string::npos) << again.output;

  // The cluster moves on after the backup.
  std::vector<std::string> after;
  for (int k = 0; k < 5; ++k) {
    auto h = submit_committed(d, k % 3, transfer(d, 2));
    ASSERT_TRUE(h) << k;
    after.push_back(*h);
  }

  // Restoring with a member's identity is refused, and leaves nothing behind.
  const std::string reused = config_variant(d, 0, "reused", {{"data_dir", dir + "/reused-data"}});
  CommandResult refused = run_suanlid("restore --config " + reused + " --from " + dir + "/b1");
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.output.find("identity_in_use"), std::string::npos) << refused.output;
  EXPECT_FALSE(fs::exists(dir + "/reused-data")) << "a refused restore left files";

  // A new node id and key: restored, it serves the backup's state at once.
  int o = d.add_outsider("gz-restored");
  CommandResult r =
      run_suanlid("restore --config " + config_of(d, o) + " --from " + dir + "/b1 --json");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(json::parse(r.output)["height"], backup_height);
  d.start(o);
  ASSERT_TRUE(d.wait_ready(o, 10000)) << d.log_path(o);
  EXPECT_EQ(height_of(d, o), backup_height);
  auto got = d.call(o, "tx_get", {{"tx_hash", before.back()}});
  ASSERT_TRUE(got && got->contains("result")) << (got ? got->dump() : "no answer");
  EXPECT_EQ((*got)["result"]["status"], "committed");

  // Regulators of two provinces approve it as a learner; it catches up.
  ASSERT_TRUE(approve_learner(d, o, dir + "/net", "gz-regulator", "bj-regulator"));
  ASSERT_TRUE(submit_committed(d, 0, transfer(d, 3)));
  std::string hash;
  ASSERT_TRUE(converge(d, 30000, &hash)) << d.log_path(o);
  got = d.call(o, "tx_get", {{"tx_hash", after.back()}});
  ASSERT_TRUE(got && got->contains("result"));
  EXPECT_EQ((*got)["result"]["status"], "committed");
  auto st = d.call(o, "node_status", json::object());
  ASSERT_TRUE(st && st->contains("result"));
  EXPECT_EQ((*st)["result"]["role"], "learner");
  // Admitted by a proposal made after the restore: the guard is lifted.
  EXPECT_FALSE(fs::exists(dir + "/net/data/gz-restored/restored.json"));
  std::ifstream log(d.log_path(o));
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_NE(text.str().find("admitted as a new member"), std::string::npos) << d.log_path(o);
}

// What restore cannot see: a node admitted after the backup was taken. Its
// disk lost, it is restored from the older backup under its own node id and
// key. The restored node casts no vote; the leader keeps sending it entries
// the identity acknowledged before (Raft never backs up below a follower's
// acknowledged index), which tells the node the identity is an earlier
// member's, and it stops with identity_in_use, on every start.
TEST(BackupTest, RestoreUnderTheIdentityOfANodeAdmittedAfterTheBackupStopsTheNode) {
  const std::string dir = temp_dir("backup-late-member");
  fs::remove_all(dir);
  ProcessDevnet d(3, dir + "/net");
  ASSERT_TRUE(d.start_all());
  ASSERT_TRUE(submit_committed(d, 0, transfer(d, 1)));
  CommandResult b =
      run_suanlid("backup --config " + config_of(d, 1) + " --to " + dir + "/b --json");
  ASSERT_EQ(b.status, 0) << b.output;

  int late = d.add_outsider("gz-late");
  d.start(late);
  ASSERT_TRUE(d.wait_ready(late, 10000)) << d.log_path(late);
  ASSERT_TRUE(approve_learner(d, late, dir + "/net", "gz-regulator", "bj-regulator"));
  ASSERT_TRUE(submit_committed(d, 0, transfer(d, 2)));
  std::string hash;
  ASSERT_TRUE(converge(d, 30000, &hash)) << d.log_path(late);

  d.terminate(late);
  fs::remove_all(dir + "/net/data/gz-late");
  CommandResult r = run_suanlid("restore --config " + config_of(d, late) + " --from " + dir + "/b");
  ASSERT_EQ(r.status, 0) << "restore cannot know of gz-late: " << r.output;
  EXPECT_TRUE(fs::exists(dir + "/net/data/gz-late/restored.json"));
  d.start(late);
  ASSERT_TRUE(d.wait_ready(late, 10000)) << d.log_path(late);
  // New entries make the leader find that this follower's log is short.
  ASSERT_TRUE(submit_committed(d, 0, transfer(d, 4)));
  std::optional<int> status = d.wait_exit(late, 30000);
  ASSERT_TRUE(status.has_value()) << "the restored node kept running: " << d.log_path(late);
  EXPECT_EQ(*status, 1);
  std::ifstream log(d.log_path(late));
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_NE(text.str().find("identity_in_use"), std::string::npos) << d.log_path(late);
  // It keeps refusing on the next start, and the cluster carries on.
  d.start(late);
  status = d.wait_exit(late, 30000);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 1);
  EXPECT_TRUE(submit_committed(d, 0, transfer(d, 3)));
}

// An old backup: the leader's log was compacted past it, so the restored
// node is brought up to date by a snapshot instead of log entries.
TEST(BackupTest, RestoredNodeBehindTheCompactedLogCatchesUpFromASnapshot) {
  const std::string dir = temp_dir("backup-old");
  fs::remove_all(dir);
  ProcessDevnet d(3, dir + "/net");
  d.set_extra_args({"--snapshot-interval", "100", "--snapshot-keep", "10"});
  ASSERT_TRUE(d.start_all());
  ASSERT_TRUE(submit_committed(d, 0, transfer(d, 1)));
  CommandResult b =
      run_suanlid("backup --config " + config_of(d, 0) + " --to " + dir + "/b --json");
  ASSERT_EQ(b.status, 0) << b.output;
  for (int k = 0; k < 150; ++k) ASSERT_TRUE(submit_committed(d, k % 3, transfer(d, 1))) << k;
  int o = d.add_outsider("bj-restored");
  CommandResult r = run_suanlid("restore --config " + config_of(d, o) + " --from " + dir + "/b");
  ASSERT_EQ(r.status, 0) << r.output;
  d.start(o);
  ASSERT_TRUE(d.wait_ready(o, 10000)) << d.log_path(o);
  ASSERT_TRUE(approve_learner(d, o, dir + "/net", "bj-regulator", "gz-regulator"));
  std::string hash;
  ASSERT_TRUE(converge(d, 30000, &hash)) << d.log_path(o);
  std::ifstream log(d.log_path(o));
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_NE(text.str().find("received the snapshot"), std::string::npos)
      << "the restored node caught up without a snapshot; the test did not test that path";
}

TEST(BackupTest, StoppedNodeIsBackedUpDirectlyAndBadBackupsAreRefused) {
  const std::string dir = temp_dir("backup-offline");
  fs::remove_all(dir);
  ProcessDevnet d(3, dir + "/net");
  ASSERT_TRUE(d.start_all());
  ASSERT_TRUE(submit_committed(d, 0, transfer(d, 5)));
  std::string hash;
  ASSERT_TRUE(converge(d, 10000, &hash));

  // A running node without rpc_token cannot be backed up: the error says why.
  const std::string no_token = config_variant(d, 2, "no-token", {{"rpc_token", nullptr}});
  CommandResult nt = run_suanlid("backup --config " + no_token + " --to " + dir + "/nt");
  EXPECT_EQ(nt.status, 1);
  EXPECT_NE(nt.output.find("rpc_token"), std::string::npos) << nt.output;
  EXPECT_FALSE(fs::exists(dir + "/nt"));

  // Stopped: the data directory is read directly; the node starts again after.
  d.terminate(2);
  CommandResult b =
      run_suanlid("backup --config " + config_of(d, 2) + " --to " + dir + "/b2 --json");
  ASSERT_EQ(b.status, 0) << b.output;
  EXPECT_EQ(json::parse(b.output)["state_hash"], hash);
  d.start(2);
  ASSERT_TRUE(d.wait_ready(2, 10000));
  ASSERT_TRUE(submit_committed(d, 0, transfer(d, 6)));
  ASSERT_TRUE(converge(d, 10000, &hash)) << d.log_path(2);

  CommandResult rel = run_suanlid("backup --config " + config_of(d, 2) + " --to relative/x");
  EXPECT_EQ(rel.status, 1) << "a relative path is made absolute; its parent does not exist";
  EXPECT_NE(rel.output.find("parent"), std::string::npos) << rel.output;

  int o = d.add_outsider("gz-restored");
  // A backup.json that does not match its state database.
  fs::copy(dir + "/b2", dir + "/tampered", fs::copy_options::recursive);
  {
    std::ifstream in(dir + "/tampered/backup.json");
    json m = json::parse(in);
    m["height"] = m["height"].get<uint64_t>() + 1;
    std::ofstream(dir + "/tampered/backup.json") << m.dump();
  }
  CommandResult t =
      run_suanlid("restore --config " + config_of(d, o) + " --from " + dir + "/tampered");
  EXPECT_EQ(t.status, 1);
  EXPECT_NE(t.output.find("does not match"), std::string::npos) << t.output;
  // No backup.json at all.
  CommandResult none =
      run_suanlid("restore --config " + config_of(d, o) + " --from " + dir + "/net");
  EXPECT_EQ(none.status, 1);
  EXPECT_NE(none.output.find("no backup.json"), std::string::npos) << none.output;
  // Another chain's backup.
  ProcessDevnet other(1, dir + "/other");
  const std::string foreign_cfg = other.devnet().nodes.at(0).config_path;
  CommandResult f = run_suanlid("restore --config " + foreign_cfg + " --node-id x9 --data-dir " +
                                dir + "/foreign-data --from " + dir + "/b2");
  EXPECT_EQ(f.status, 1);
  EXPECT_NE(f.output.find("genesis"), std::string::npos) << f.output;
  // A data directory that is in use.
  CommandResult used =
      run_suanlid("restore --config " + config_of(d, o) + " --data-dir " + dir + "/net/data/" +
                  d.devnet().nodes[0].node_id + " --from " + dir + "/b2");
  EXPECT_EQ(used.status, 1);
  EXPECT_NE(used.output.find("not empty"), std::string::npos) << used.output;
  // And the good one still restores.
  CommandResult ok = run_suanlid("restore --config " + config_of(d, o) + " --from " + dir + "/b2");
  EXPECT_EQ(ok.status, 0) << ok.output;
  EXPECT_NE(ok.output.find("node propose"), std::string::npos) << ok.output;
}

}  // namespace
}  // namespace suanli::testing
