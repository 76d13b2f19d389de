"""Closed-loop referrals in the practice database: referrals, their options and events,
consents to release information, partner practices and one-time status links."""
