// Rules for single-server membership changes (one voter or learner at a time).
#pragma once

#include "common/status.h"
#include "consensus/progress_tracker.h"

namespace suanli::consensus {

// Whether cc may be proposed against the current membership: adds a new
// member, promotes a learner, or removes a member (never the last voter).
// Demoting a voter to learner is not supported. Error: "invalid_conf_change".
Status check_conf_change(const ProgressTracker& tracker, const ConfChange& cc);

}  // namespace suanli::consensus
