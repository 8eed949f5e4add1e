// IPv4 and IPv6 addresses and CIDR networks, parsed strictly (the URL guard and its allow-list use them).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace triage::base {

// An IPv4 or IPv6 address as bytes in network order. A value type.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4

  int BitCount() const { return v6 ? 128 : 32; }
  // The embedded IPv4 address of an IPv4-mapped IPv6 address (::ffff:a.b.c.d); otherwise *this.
  IpAddress Unmapped() const;
  // "192.0.2.1", "2001:db8::1" (inet_ntop's canonical form).
  std::string ToString() const;
  bool operator==(const IpAddress&) const = default;
};

// Parses the canonical textual forms only (inet_pton: dotted quad of four decimal parts, or IPv6 text).
// kInvalidArgument for anything else, including "127.1", "0x7f.0.0.1" and "2130706433".
Result<IpAddress> ParseIpAddress(const std::string& text);

// IPv4 from four bytes, and IPv6 from 16.
IpAddress Ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);

// A network "address/prefix_bits". A value type.
struct IpNetwork {
  IpAddress base;
  int prefix_bits = 0;

  // True when `address` (of the same family) lies inside. An IPv4-mapped IPv6 address also matches the IPv4
  // network it embeds, so that an allow-list written for IPv4 covers both spellings.
  bool Contains(const IpAddress& address) const;
  std::string ToString() const;
};

// Parses "10.0.0.0/8" or "fd00::/8" strictly: a canonical address, '/', a prefix length within the family's
// bits, and no bits set beyond the prefix (so "10.0.0.1/8" is refused, naming "10.0.0.0/8" instead).
// kInvalidArgument with a message naming what is wrong.
Result<IpNetwork> ParseIpNetwork(const std::string& text);

}  // namespace triage::base
