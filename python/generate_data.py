"""Generates a synthetic, labelled card-transaction data set for the fraud pipeline.

Writes customers.jsonl, merchants.jsonl, transactions.jsonl (the Kafka values, in the order a
producer sends them), labels.csv and manifest.json; docs/DATA.md defines each file. The same
--seed and flags always give byte-identical files.

The world: card holders live in or around city hubs spread over the contiguous United States
and mostly shop at card-present merchants of their own hub, plus online. Legitimate traffic
includes heavy users, travellers spending far from home for a few days, and brand-new cards whose
first transaction appears mid-period. Fraud comes in episodes on a compromised card: card
testing (tiny online amounts, then cash-out), sprees far from home, single night-time hits far
away, and "stealth" fraud that looks like the holder's own shopping, so no model can be perfect.
"""
import argparse
import dataclasses
import datetime
import json
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np

from job_resources import fraud_handler

PYTHON_DIR = Path(__file__).resolve().parent
VOCABULARIES = fraud_handler.VOCABULARIES
haversine_km = fraud_handler.haversine_km

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000

class CategoryProfile(NamedTuple):
    merchant_share: float
    median_amount: float  # of legitimate purchases
    amount_sigma: float  # their spread (lognormal)
    fraud_appeal: float  # how strongly fraudsters favour it: resellable goods and fuel rank high


CATEGORY_PROFILES = {
    "entertainment": CategoryProfile(0.07, 45.0, 0.8, 0.2),
    "food_dining": CategoryProfile(0.10, 28.0, 0.6, 0.2),
    "gas_transport": CategoryProfile(0.10, 42.0, 0.4, 1.5),
    "grocery_net": CategoryProfile(0.04, 55.0, 0.5, 1.0),
    "grocery_pos": CategoryProfile(0.12, 60.0, 0.6, 2.5),
    "health_fitness": CategoryProfile(0.06, 35.0, 0.6, 0.1),
    "home": CategoryProfile(0.08, 60.0, 0.9, 0.3),
    "kids_pets": CategoryProfile(0.08, 40.0, 0.7, 0.2),
    "misc_net": CategoryProfile(0.05, 35.0, 1.0, 3.0),
    "misc_pos": CategoryProfile(0.06, 30.0, 0.9, 1.0),
    "personal_care": CategoryProfile(0.07, 25.0, 0.7, 0.2),
    "shopping_net": CategoryProfile(0.07, 70.0, 1.0, 4.0),
    "shopping_pos": CategoryProfile(0.07, 65.0, 0.9, 2.5),
    "travel": CategoryProfile(0.03, 120.0, 1.1, 0.5),
}
CATEGORIES = VOCABULARIES["category"]


def category_values(field):
    """One profile field for every category, indexed like features.json's vocabulary."""
    return np.array([getattr(CATEGORY_PROFILES[c], field) for c in CATEGORIES])

# Legitimate spending by hour of day (relative weights): quiet at night, peaks in the evening.
HOURLY_ACTIVITY = np.array([0.6, 0.4, 0.3, 0.25, 0.25, 0.4, 0.9, 1.8, 2.8, 3.6, 4.2, 4.8,
                            5.5, 5.3, 5.0, 5.0, 5.3, 5.8, 6.0, 5.6, 4.6, 3.4, 2.2, 1.2])
NIGHT_HOURS = np.array([22, 23, 0, 1, 2, 3, 4])

# Approximate centres of the 48 contiguous states; hubs are scattered around them.
STATE_CENTRES = {
    "AL": (32.8, -86.8), "AZ": (34.2, -111.7), "AR": (34.9, -92.4), "CA": (37.2, -119.5),
    "CO": (39.0, -105.5), "CT": (41.6, -72.7), "DE": (39.0, -75.5), "FL": (28.6, -82.4),
    "GA": (32.7, -83.4), "ID": (44.4, -114.6), "IL": (40.0, -89.2), "IN": (39.9, -86.3),
    "IA": (42.1, -93.5), "KS": (38.5, -98.4), "KY": (37.5, -85.3), "LA": (31.1, -92.0),
    "ME": (45.4, -69.2), "MD": (39.0, -76.8), "MA": (42.3, -71.8), "MI": (44.3, -85.4),
    "MN": (46.3, -94.3), "MS": (32.7, -89.7), "MO": (38.4, -92.5), "MT": (47.0, -109.6),
    "NE": (41.5, -99.8), "NV": (39.3, -116.6), "NH": (43.7, -71.6), "NJ": (40.2, -74.7),
    "NM": (34.4, -106.1), "NY": (42.9, -75.5), "NC": (35.6, -79.4), "ND": (47.5, -100.5),
    "OH": (40.3, -82.8), "OK": (35.6, -97.5), "OR": (43.9, -120.6), "PA": (40.9, -77.8),
    "RI": (41.7, -71.5), "SC": (33.9, -80.9), "SD": (44.4, -100.2), "TN": (35.9, -86.4),
    "TX": (31.5, -99.3), "UT": (39.3, -111.7), "VT": (44.1, -72.7), "VA": (37.5, -78.9),
    "WA": (47.4, -120.5), "WV": (38.6, -80.6), "WI": (44.6, -89.9), "WY": (43.0, -107.6),
}
PLACE_PREFIXES = ["Ash", "Bel", "Brook", "Cedar", "Clear", "Elm", "Fair", "Glen", "Green", "Hill",
                  "Lake", "Maple", "Mill", "North", "Oak", "Pine", "River", "Rock", "Spring", "Stone"]
PLACE_SUFFIXES = ["burg", "dale", "field", "ford", "haven", "mont", "port", "ton", "view", "ville"]
FIRST_NAMES = {
    "F": ["Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
          "Sarah", "Karen", "Lisa", "Nancy", "Sandra", "Ashley", "Emily", "Donna", "Michelle"],
    "M": ["James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas",
          "Christopher", "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Paul"],
}
LAST_NAMES = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
              "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
              "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
              "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
              "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores"]
JOBS = ["Accountant", "Architect", "Bus driver", "Chef", "Civil engineer", "Dentist", "Electrician",
        "Farmer", "Firefighter", "Graphic designer", "Journalist", "Lawyer", "Librarian",
        "Mechanic", "Nurse", "Pharmacist", "Physician", "Police officer", "Retired", "Sales manager",
        "Software developer", "Student", "Teacher", "Truck driver", "Veterinarian"]
STREET_NAMES = ["Main", "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill",
                "Park", "River", "Church", "Mill", "Spring", "Ridge"]
STREET_SUFFIXES = ["St", "Ave", "Rd", "Dr", "Ln", "Ct", "Blvd", "Way"]
MERCHANT_SUFFIXES = ["Group", "LLC", "Inc", "and Sons", "Ltd", "Co", "Partners", "Market", "Outlet"]

# Card holder and card profiles.
URBAN_SHARE = 0.75
HEAVY_USER_SHARE = 0.03
OCCASIONAL_USER_SHARE = 0.15  # a purchase every few days or weeks: often no history in 7 days
NEW_CARD_SHARE = 0.15
TRAVELLER_SHARE = 0.12
MIN_TRIP_KM = 500
# Fraud episodes: the share of episodes of each pattern, and the transactions in one.
FRAUD_PATTERN_SHARES = {"card_testing": 0.15, "spree": 0.20, "far_away": 0.30, "stealth": 0.35}
FRAUD_EPISODE_SIZES = {"card_testing": (4, 10), "spree": (3, 9), "far_away": (1, 3), "stealth": (1, 1)}
MIN_FRAUD_KM = 300
HISTORY_DAYS_BEFORE_FRAUD = 2
# Late events: written after later ones, but well within the job's allowed lag (1 hour).
LATE_SHARE = 0.001
MAX_LATE_MS = 30 * MINUTE_MS


@dataclasses.dataclass
class Hubs:
    latitude: np.ndarray
    longitude: np.ndarray
    population: np.ndarray
    name: list
    state: list


@dataclasses.dataclass
class Merchants:
    latitude: np.ndarray
    longitude: np.ndarray
    category: np.ndarray  # index into CATEGORIES
    online: np.ndarray
    hub: np.ndarray  # card-present: where it is; online: its head office
    popularity: np.ndarray


@dataclasses.dataclass
class Cards:
    """One card per card holder, with the holder's home and the card's usage profile."""
    cc_num: list
    hub: np.ndarray
    urban: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    daily_rate: np.ndarray
    spend_factor: np.ndarray
    online_share: np.ndarray
    heavy_user: np.ndarray
    occasional: np.ndarray
    first_day: np.ndarray  # > 0 for cards issued during the period
    trip_hub: np.ndarray
    trip_start_day: np.ndarray
    trip_end_day: np.ndarray  # == trip_start_day for cards that do not travel


@dataclasses.dataclass
class Transactions:
    card: np.ndarray
    time_ms: np.ndarray
    merchant: np.ndarray
    amount: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    is_fraud: np.ndarray
    pattern: np.ndarray  # index into PATTERNS


LEGIT_PATTERNS = ["regular", "heavy_user", "occasional", "new_card", "travel"]
PATTERNS = LEGIT_PATTERNS + list(FRAUD_PATTERN_SHARES)


def pattern_code(name):
    return PATTERNS.index(name)


class GroupedSampler:
    """Draws items by weight from within a group, e.g. a merchant of a given hub by popularity."""

    def __init__(self, items, groups, weights, group_count):
        order = np.lexsort((items, groups))
        self.items = items[order]
        self.cumulative = np.cumsum(weights[order])
        sorted_groups = groups[order]
        self.first = np.searchsorted(sorted_groups, np.arange(group_count), side="left")
        self.last = np.searchsorted(sorted_groups, np.arange(group_count), side="right") - 1
        if (self.last < self.first).any():
            raise ValueError("every group needs at least one item; use more merchants")
        self.low = np.where(self.first > 0, self.cumulative[self.first - 1], 0.0)

    def sample(self, rng, groups):
        high = self.cumulative[self.last[groups]]
        targets = self.low[groups] + rng.random(len(groups)) * (high - self.low[groups])
        positions = np.searchsorted(self.cumulative, targets, side="right")
        return self.items[np.clip(positions, self.first[groups], self.last[groups])]


def place_names(rng, count):
    return [PLACE_PREFIXES[p] + PLACE_SUFFIXES[s] for p, s in
            zip(rng.integers(len(PLACE_PREFIXES), size=count), rng.integers(len(PLACE_SUFFIXES), size=count))]


def offset_position(latitude, longitude, distance_km, bearing):
    """A point the given distance away (flat-Earth approximation; fine below ~100 km)."""
    north = distance_km * np.cos(bearing) / 111.2
    east = distance_km * np.sin(bearing) / (111.2 * np.cos(np.radians(latitude)))
    return latitude + north, longitude + east


def make_hubs(rng, count):
    states = list(STATE_CENTRES)
    state = [states[i % len(states)] for i in range(count)]
    centre = np.array([STATE_CENTRES[s] for s in state])
    population = np.clip(rng.lognormal(np.log(60_000), 1.2, count), 5_000, 4_000_000).astype(np.int64)
    return Hubs(latitude=centre[:, 0] + rng.uniform(-1.5, 1.5, count),
                longitude=centre[:, 1] + rng.uniform(-2.0, 2.0, count),
                population=population, name=place_names(rng, count), state=state)


def hub_weights(hubs):
    """Where people live and shops are: bigger cities, but less than proportionally."""
    weights = hubs.population ** 0.8
    return weights / weights.sum()


def make_merchants(rng, count, hubs):
    shares = category_values("merchant_share")
    category = rng.choice(len(CATEGORIES), size=count, p=shares / shares.sum())
    online = np.array([c.endswith("_net") for c in CATEGORIES])[category]
    # Every hub gets its fair share of card-present merchants first, so no hub is left without.
    hub = rng.choice(len(hubs.population), size=count, p=hub_weights(hubs))
    present = np.flatnonzero(~online)
    guaranteed = present[: len(present) // 2]
    hub[guaranteed] = np.arange(len(guaranteed)) % len(hubs.population)
    latitude = hubs.latitude[hub] + np.where(online, 0.01, 0.05) * rng.standard_normal(count)
    longitude = hubs.longitude[hub] + np.where(online, 0.01, 0.05) * rng.standard_normal(count)
    return Merchants(latitude=latitude, longitude=longitude, category=category, online=online,
                     hub=hub, popularity=rng.lognormal(0.0, 1.0, count))


def make_cards(rng, count, hubs, days):
    hub = rng.choice(len(hubs.population), size=count, p=hub_weights(hubs))
    urban = rng.random(count) < URBAN_SHARE
    distance_km = np.where(urban, rng.gamma(2.0, 2.5, count), rng.uniform(15, 60, count))
    latitude, longitude = offset_position(hubs.latitude[hub], hubs.longitude[hub], distance_km,
                                          rng.uniform(0, 2 * np.pi, count))
    kind = rng.random(count)
    heavy_user = kind < HEAVY_USER_SHARE
    occasional = (kind >= HEAVY_USER_SHARE) & (kind < HEAVY_USER_SHARE + OCCASIONAL_USER_SHARE)
    daily_rate = np.select([heavy_user, occasional],
                           [rng.uniform(8, 16, count), rng.uniform(0.05, 0.3, count)],
                           np.clip(rng.lognormal(np.log(1.75), 0.55, count), 0.3, 8))
    first_day = np.where(rng.random(count) < NEW_CARD_SHARE, rng.integers(1, max(days, 2), count), 0)
    trip_hub = far_hubs(rng, hubs, hub, MIN_TRIP_KM)
    trip_start_day = rng.integers(0, days, count)
    trip_days = np.where(rng.random(count) < TRAVELLER_SHARE, rng.integers(2, 7, count), 0)
    cc_num = [str(n) for n in 4_000_000_000_000_000 + rng.choice(10 ** 15, count, replace=False)]
    return Cards(cc_num=cc_num, hub=hub, urban=urban, latitude=latitude, longitude=longitude,
                 daily_rate=daily_rate, spend_factor=rng.lognormal(0.0, 0.35, count),
                 online_share=rng.beta(2, 8, count), heavy_user=heavy_user, occasional=occasional,
                 first_day=first_day,
                 trip_hub=trip_hub, trip_start_day=trip_start_day,
                 trip_end_day=trip_start_day + trip_days)


def far_hubs(rng, hubs, home_hub, min_km):
    """For each home hub, a random hub at least min_km away (the farthest one if none is)."""
    distances = haversine_km(hubs.latitude[:, None], hubs.longitude[:, None],
                             hubs.latitude[None, :], hubs.longitude[None, :])
    from_home = distances[home_hub]
    far_enough = from_home >= min_km
    scores = rng.random(far_enough.shape) + far_enough  # any far hub beats every near one
    none_far = ~far_enough.any(axis=1)
    scores[none_far] = from_home[none_far]
    return scores.argmax(axis=1)


def merchant_samplers(merchants, weights, hub_count):
    """(card-present merchants by hub, online merchants), each drawn by the given weights."""
    present = np.flatnonzero(~merchants.online)
    online = np.flatnonzero(merchants.online)
    return (GroupedSampler(present, merchants.hub[present], weights[present], hub_count),
            GroupedSampler(online, np.zeros_like(online), weights[online], 1))


class Shops:
    """Where a transaction happens and for how much, for legitimate and fraudulent spending."""

    def __init__(self, merchants, hub_count):
        appeal = category_values("fraud_appeal")[merchants.category]
        self.merchants = merchants
        self.legit = merchant_samplers(merchants, merchants.popularity, hub_count)
        self.fraud = merchant_samplers(merchants, merchants.popularity * appeal, hub_count)

    def choose_merchants(self, rng, hubs, online_share, fraud=False):
        """A merchant per hub: online with probability online_share, else one in that hub; by
        popularity, and for fraud also by how much fraudsters favour the category."""
        present, online_shops = self.fraud if fraud else self.legit
        online = rng.random(len(hubs)) < online_share
        chosen = present.sample(rng, hubs)
        chosen[online] = online_shops.sample(rng, np.zeros(online.sum(), dtype=np.int64))
        return chosen

    def legit_amounts(self, rng, merchant, spend_factor):
        category = self.merchants.category[merchant]
        median, sigma = category_values("median_amount")[category], category_values("amount_sigma")[category]
        return np.maximum(np.round(median * spend_factor * rng.lognormal(0.0, sigma), 2), 0.5)

    def locations(self, rng, merchant):
        """Online: the merchant's registered location; card-present: within a few hundred metres."""
        jitter = np.where(self.merchants.online[merchant], 0.0, 0.003)
        return (self.merchants.latitude[merchant] + jitter * rng.standard_normal(len(merchant)),
                self.merchants.longitude[merchant] + jitter * rng.standard_normal(len(merchant)))


def times_of_day(rng, days, hours):
    return days * DAY_MS + hours * HOUR_MS + rng.integers(0, HOUR_MS, len(days))


def legit_hours(rng, count):
    return rng.choice(24, size=count, p=HOURLY_ACTIVITY / HOURLY_ACTIVITY.sum())


def legit_transactions(rng, cards, shops, days):
    counts = rng.poisson(cards.daily_rate * (days - cards.first_day))
    card = np.repeat(np.arange(len(counts)), counts)
    day = cards.first_day[card] + (rng.random(len(card)) * (days - cards.first_day[card])).astype(np.int64)
    travelling = (day >= cards.trip_start_day[card]) & (day < cards.trip_end_day[card])
    hub = np.where(travelling, cards.trip_hub[card], cards.hub[card])
    merchant = shops.choose_merchants(rng, hub, cards.online_share[card])
    pattern = np.select([travelling, cards.first_day[card] > 0, cards.heavy_user[card], cards.occasional[card]],
                        [pattern_code("travel"), pattern_code("new_card"), pattern_code("heavy_user"),
                         pattern_code("occasional")],
                        pattern_code("regular"))
    latitude, longitude = shops.locations(rng, merchant)
    return Transactions(card=card, time_ms=times_of_day(rng, day, legit_hours(rng, len(card))),
                        merchant=merchant,
                        amount=shops.legit_amounts(rng, merchant, cards.spend_factor[card]),
                        latitude=latitude, longitude=longitude,
                        is_fraud=np.zeros(len(card), dtype=bool), pattern=pattern)


@dataclasses.dataclass
class Episodes:
    """Fraud episodes, one row per fraudulent transaction, grouped by episode."""
    card: np.ndarray
    start_ms: np.ndarray
    pattern: np.ndarray
    index: np.ndarray  # position of the transaction within its episode
    size: np.ndarray  # transactions in its episode


def fraud_episodes(rng, cards, days, target_count):
    """Episodes on compromised cards until exactly target_count fraudulent transactions."""
    names = list(FRAUD_PATTERN_SHARES)
    eligible = np.flatnonzero(cards.first_day < days - HISTORY_DAYS_BEFORE_FRAUD - 1)
    count = target_count + 1  # at least one transaction per episode: enough episodes to cut from
    pattern = rng.choice(len(names), size=count, p=list(FRAUD_PATTERN_SHARES.values()))
    low, high = np.array([FRAUD_EPISODE_SIZES[n] for n in names]).T
    size = rng.integers(low[pattern], high[pattern] + 1)
    last = np.searchsorted(np.cumsum(size), target_count)
    pattern, size = pattern[: last + 1], size[: last + 1]
    size[-1] -= np.cumsum(size)[-1] - target_count  # cut the last episode to hit the target
    pattern, size = pattern[size > 0], size[size > 0]

    card = rng.choice(eligible, size=len(size))
    first = cards.first_day[card] + HISTORY_DAYS_BEFORE_FRAUD
    day = first + (rng.random(len(size)) * (days - 1 - first)).astype(np.int64)
    # Single hits far away come at night; sprees often do; card-testing bots keep no hours.
    name = np.array(names)[pattern]
    night = (name == "far_away") | ((name == "spree") & (rng.random(len(size)) < 0.5))
    hour = np.select([night, name == "card_testing"],
                     [rng.choice(NIGHT_HOURS, len(size)), rng.integers(0, 24, len(size))],
                     legit_hours(rng, len(size)))
    starts = np.cumsum(size) - size
    return Episodes(card=np.repeat(card, size), start_ms=np.repeat(times_of_day(rng, day, hour), size),
                    pattern=np.repeat(pattern, size),
                    index=np.arange(size.sum()) - np.repeat(starts, size), size=np.repeat(size, size))


def fraud_transactions(rng, cards, hubs, shops, episodes):
    names = np.array(list(FRAUD_PATTERN_SHARES))[episodes.pattern]
    count = len(names)
    card = episodes.card
    testing, stealth = names == "card_testing", names == "stealth"
    # Card testing: tiny online charges a minute or two apart, then two cash-outs.
    cashing_out = testing & (episodes.index >= episodes.size - 2)
    gap_minutes = np.where(testing, rng.exponential(1.5, count), rng.exponential(25.0, count))
    gap_minutes[cashing_out] += rng.exponential(20.0, cashing_out.sum())
    offsets = grouped_cumsum(gap_minutes * MINUTE_MS, episodes.index).astype(np.int64)

    away_hub = far_hubs(rng, hubs, cards.hub[card], MIN_FRAUD_KM)
    hub = np.where(stealth, cards.hub[card], away_hub)
    online_share = np.select([testing, names == "spree", stealth], [1.0, 0.3, cards.online_share[card]], 0.0)
    merchant = np.where(stealth, shops.choose_merchants(rng, hub, online_share),
                        shops.choose_merchants(rng, hub, online_share, fraud=True))
    high_amounts = np.round(rng.lognormal(np.log(np.where(names == "spree", 350, 550)), 0.6), 2)
    amount = np.select(
        [stealth, testing & ~cashing_out, cashing_out],
        [shops.legit_amounts(rng, merchant, cards.spend_factor[card]),
         np.round(rng.uniform(0.5, 5.0, count), 2),
         np.round(rng.lognormal(np.log(600), 0.5, count), 2)],
        high_amounts)
    latitude, longitude = shops.locations(rng, merchant)
    return Transactions(card=card, time_ms=episodes.start_ms + offsets, merchant=merchant,
                        amount=amount, latitude=latitude, longitude=longitude,
                        is_fraud=np.ones(count, dtype=bool),
                        pattern=episodes.pattern + len(LEGIT_PATTERNS))


def grouped_cumsum(values, index_in_group):
    """Running sum of values that restarts where index_in_group is 0."""
    total = np.cumsum(values)
    group_start = np.maximum.accumulate(np.where(index_in_group == 0, np.arange(len(values)), 0))
    return total - total[group_start] + values[group_start]


def concatenate(parts):
    return Transactions(*(np.concatenate([getattr(p, f.name) for p in parts])
                          for f in dataclasses.fields(Transactions)))


def take(transactions, rows):
    return Transactions(*(getattr(transactions, f.name)[rows] for f in dataclasses.fields(Transactions)))


def send_order(rng, event_order_time):
    """Positions in the order a producer sends: event time, except a few sent up to 30 min late."""
    late = rng.random(len(event_order_time)) < LATE_SHARE
    delay = np.where(late, rng.integers(1_000, MAX_LATE_MS + 1, len(late)), 0)
    return np.argsort(event_order_time + delay, kind="stable"), late


def generate(seed, cards_count, days, fraud_rate, merchants_count, start):
    rng = np.random.default_rng(seed)
    # About twenty merchants per hub, so each hub has shops of most categories.
    hubs = make_hubs(rng, int(np.clip(merchants_count // 20, 10, 4 * len(STATE_CENTRES))))
    merchants = make_merchants(rng, merchants_count, hubs)
    cards = make_cards(rng, cards_count, hubs, days)
    shops = Shops(merchants, len(hubs.population))
    legit = legit_transactions(rng, cards, shops, days)
    fraud_count = round(fraud_rate * len(legit.card) / (1 - fraud_rate))
    episodes = fraud_episodes(rng, cards, days, fraud_count)
    transactions = concatenate([legit, fraud_transactions(rng, cards, hubs, shops, episodes)])
    transactions = take(transactions, np.argsort(transactions.time_ms, kind="stable"))
    start_ms = int(datetime.datetime.combine(start, datetime.time(), datetime.timezone.utc).timestamp() * 1000)
    transactions.time_ms += start_ms
    order, late = send_order(rng, transactions.time_ms)
    return hubs, merchants, cards, transactions, order, late


# ---- Writing ------------------------------------------------------------------------------------

def customer_lines(rng, cards, hubs, start):
    count = len(cards.cc_num)
    gender = rng.choice(VOCABULARIES["gender"], size=count)
    first = [FIRST_NAMES[g][i % len(FIRST_NAMES[g])] for g, i in zip(gender, rng.integers(0, 1000, count))]
    last = rng.choice(LAST_NAMES, size=count)
    age_days = ((18 + 72 * rng.beta(1.6, 2.6, count)) * 365.25).astype(np.int64)
    birth = np.datetime64(start, "D") - age_days
    town_population = np.clip(rng.lognormal(np.log(2500), 0.8, count), 200, 20_000).astype(np.int64)
    town_name = place_names(rng, count)
    street = [f"{n} {STREET_NAMES[s]} {STREET_SUFFIXES[x]}" for n, s, x in
              zip(rng.integers(1, 9999, count), rng.integers(len(STREET_NAMES), size=count),
                  rng.integers(len(STREET_SUFFIXES), size=count))]
    jobs = rng.choice(JOBS, size=count)
    zips = rng.integers(1000, 99999, count)
    for i in range(count):
        hub = cards.hub[i]
        yield json.dumps({
            "cc_num": cards.cc_num[i], "first_name": first[i], "last_name": str(last[i]),
            "gender": str(gender[i]), "date_of_birth": str(birth[i]), "job": str(jobs[i]),
            "street": street[i], "city": hubs.name[hub] if cards.urban[i] else town_name[i],
            "state": hubs.state[hub], "zip": f"{zips[i]:05d}",
            "latitude": round(float(cards.latitude[i]), 6), "longitude": round(float(cards.longitude[i]), 6),
            "city_population": int(hubs.population[hub] if cards.urban[i] else town_population[i]),
            "setting": "urban" if cards.urban[i] else "rural"})


def merchant_code(index):
    return f"M{index:05d}"


def merchant_lines(rng, merchants):
    owners = rng.choice(LAST_NAMES, size=len(merchants.category))
    suffixes = rng.choice(MERCHANT_SUFFIXES, size=len(merchants.category))
    for i in range(len(merchants.category)):
        yield json.dumps({
            "merchant_code": merchant_code(i), "name": f"{owners[i]} {suffixes[i]}",
            "category": CATEGORIES[merchants.category[i]],
            "latitude": round(float(merchants.latitude[i]), 6),
            "longitude": round(float(merchants.longitude[i]), 6)})


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8") as file:
        for line in lines:
            file.write(line)
            file.write("\n")


def write_transactions(out, cards, transactions, order):
    """transactions.jsonl and labels.csv, both in send order; ids follow event time."""
    ids = [f"T{i:012d}" for i in order.tolist()]
    cc = [cards.cc_num[c] for c in transactions.card[order].tolist()]
    merchant = [merchant_code(m) for m in transactions.merchant[order].tolist()]
    amount = transactions.amount[order].tolist()
    time_ms = transactions.time_ms[order].tolist()
    latitude = np.round(transactions.latitude[order], 6).tolist()
    longitude = np.round(transactions.longitude[order], 6).tolist()
    write_lines(out / "transactions.jsonl", (
        f'{{"transaction_id":"{i}","cc_num":"{c}","merchant_code":"{m}","amount":{a!r},'
        f'"event_time_ms":{t},"latitude":{la!r},"longitude":{lo!r}}}'
        for i, c, m, a, t, la, lo in zip(ids, cc, merchant, amount, time_ms, latitude, longitude)))
    fraud = transactions.is_fraud[order].astype(np.int8).tolist()
    pattern = [PATTERNS[p] for p in transactions.pattern[order].tolist()]
    write_lines(out / "labels.csv", ["transaction_id,is_fraud,pattern"] +
                [f"{i},{f},{p}" for i, f, p in zip(ids, fraud, pattern)])


def iso_utc(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).isoformat(timespec="milliseconds")


def manifest(args, cards, merchants, transactions, late):
    patterns, counts = np.unique(transactions.pattern, return_counts=True)
    return {
        "generator": "python/generate_data.py",
        "seed": args.seed,
        "flags": {"cards": args.cards, "days": args.days, "fraud_rate": args.fraud_rate,
                  "merchants": args.merchants, "start": args.start.isoformat()},
        "counts": {
            "customers": len(cards.cc_num), "merchants": len(merchants.category),
            "transactions": len(transactions.card),
            "fraud_transactions": int(transactions.is_fraud.sum()),
            "late_transactions": int(late.sum()),
            "by_pattern": {PATTERNS[p]: int(n) for p, n in zip(patterns, counts)},
        },
        "fraud_rate": round(float(transactions.is_fraud.mean()), 6),
        "first_event_time_ms": int(transactions.time_ms.min()),
        "last_event_time_ms": int(transactions.time_ms.max()),
        "first_event_time": iso_utc(int(transactions.time_ms.min())),
        "last_event_time": iso_utc(int(transactions.time_ms.max())),
    }


def check_profiles():
    if set(CATEGORY_PROFILES) != set(CATEGORIES):
        raise SystemExit("generate_data.py: CATEGORY_PROFILES must cover exactly the categories of "
                         f"features.json: {CATEGORIES}")
    if set(FIRST_NAMES) != set(VOCABULARIES["gender"]) or set(VOCABULARIES["setting"]) != {"urban", "rural"}:
        raise SystemExit("generate_data.py: features.json's genders or settings changed; update the generator")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--fraud-rate", type=float, default=0.0075,
                        help="share of transactions that are fraudulent (default 0.0075)")
    parser.add_argument("--merchants", type=int, default=3_000)
    parser.add_argument("--start", type=datetime.date.fromisoformat, default=datetime.date(2026, 1, 1),
                        help="first day, UTC (default 2026-01-01)")
    parser.add_argument("--out", type=Path, default=PYTHON_DIR / "data")
    args = parser.parse_args(argv)
    if args.days < 3 or args.cards < 10 or args.merchants < 100 or not 0 < args.fraud_rate < 0.5:
        parser.error("need --days >= 3, --cards >= 10, --merchants >= 100 and 0 < --fraud-rate < 0.5")
    return args


def main(argv=None):
    args = parse_args(argv)
    check_profiles()
    began = time.perf_counter()
    hubs, merchants, cards, transactions, order, late = generate(
        args.seed, args.cards, args.days, args.fraud_rate, args.merchants, args.start)
    if transactions.time_ms.max() > time.time() * 1000:
        raise SystemExit("generate_data.py: events would lie in the future; choose an earlier --start")
    # Names and addresses come from their own stream, so they do not shift the transactions.
    text_rng = np.random.default_rng([args.seed, 1])
    args.out.mkdir(parents=True, exist_ok=True)
    write_lines(args.out / "customers.jsonl", customer_lines(text_rng, cards, hubs, args.start))
    write_lines(args.out / "merchants.jsonl", merchant_lines(text_rng, merchants))
    write_transactions(args.out, cards, transactions, order)
    summary = manifest(args, cards, merchants, transactions, late)
    (args.out / "manifest.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"{summary['counts']['transactions']:,} transactions ({summary['fraud_rate']:.3%} fraud) "
          f"over {len(cards.cc_num):,} cards written to {args.out} in {time.perf_counter() - began:.2f} s")


if __name__ == "__main__":
    main()
