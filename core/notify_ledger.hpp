#pragma once
// Which alerts the receivers have been told are active (issue #15): one
// notification per state change, across frames and restarts. A raise is news
// only if the ledger does not already hold that alert; a clear only if it
// does. Saved as a small text file so a restarted gateway, whose alert book
// starts empty and raises everything still wrong, does not tell it all again,
// and can tell what cleared while it was down. Pure: the gateway does the file.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/notify_message.hpp"

namespace ioc::core {

class notify_ledger {
 public:
  // Records the change; true when it is news to send.
  bool admit(const notification& n);

  // After a restart: the alerts told as active that the alert book no longer
  // holds once it has settled (`settle_ms` after the hub is ready), as
  // "cleared" notifications (value unknown), and forgets them. Runs once;
  // returns nothing before it is due or after it ran.
  std::vector<notification> reconcile(const std::vector<std::string>& active_ids, bool ready, millis now,
                                      millis settle_ms = 15'000);

  bool dirty() const { return dirty_; }
  std::string save();  // clears dirty
  // Loads a saved ledger; false (and an empty ledger) when the text is not one.
  bool load(const std::string& text);
  std::size_t size() const { return told_.size(); }

 private:
  std::map<std::string, notification> told_;  // by alert id: the raise as sent
  bool dirty_ = false;
  std::optional<millis> ready_since_;
  bool reconciled_ = false;
};

}  // namespace ioc::core
