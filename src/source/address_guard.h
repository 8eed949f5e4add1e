// The URL guard's address rule: which destinations a download may connect to (no loopback, private, link-local,
// multicast or other special-use addresses unless allow-listed), so that a URL cannot reach the server's own
// network (SSRF). Webhooks, when they come, use the same rule.
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>
#include <vector>

#include "base/ip_network.h"
#include "base/status.h"

namespace triage::source {

// The special-use range `address` lies in, as a phrase for messages ("loopback", "private (RFC 1918)",
// "IPv4-mapped IPv6", ...), or nullopt for an ordinary public address. Pure, thread-safe.
// NAT64 addresses (64:ff9b::/96) are judged by the IPv4 address they embed.
std::optional<std::string> SpecialUseRange(const base::IpAddress& address);

// Ok when a download may connect to `address`: it is public, or lies in one of `allow_private`.
// Otherwise kPermissionDenied: "refused: 127.0.0.1 is a special-use address (loopback); downloads.allow_private
// can allow it".
base::Status CheckDestination(const base::IpAddress& address, const std::vector<base::IpNetwork>& allow_private);

// Resolves `host` (a name, an IPv4 form, or an IPv6 literal with or without brackets) once through getaddrinfo,
// which reads numeric forms such as "2130706433", "0x7f.1" or "127.1" the way inet_aton does, and checks every
// address it returns with CheckDestination. The caller must connect only to the addresses returned, never
// resolve again (a second answer may differ: DNS rebinding).
// kPermissionDenied when any address is refused; kUnavailable when the name does not resolve.
base::Result<std::vector<base::IpAddress>> ResolveAndCheck(const std::string& host,
                                                           const std::vector<base::IpNetwork>& allow_private);

// The address in a sockaddr_in / sockaddr_in6; nullopt for other families.
std::optional<base::IpAddress> AddressOf(const sockaddr* addr);

}  // namespace triage::source
