#!/usr/bin/env python3
"""Generates the small data sets of examples/ (deterministic: same output every run).

    python3 scripts/gen_examples.py        # or: make examples

Each data set has a few thousand events with the shapes the examples need:
ties, events outside the window, missing values, several attempts per user.
Standard library only.
"""
import json
import os
import random
from datetime import datetime, timedelta, timezone

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "data")
T0 = datetime(2024, 3, 1, tzinfo=timezone.utc)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def ecommerce(rng):
    """B2C shop: view -> cart -> purchase, with devices, prices and a users table."""
    events, users = [], []
    for u in range(1, 1201):
        uid = f"u{u:04d}"
        device = rng.choices(["mobile", "desktop", "tablet"], [0.58, 0.35, 0.07])[0]
        country = rng.choices(["US", "CA", "GB", "DE"], [0.5, 0.15, 0.2, 0.15])[0]
        users.append((uid, rng.randint(18, 70), rng.choice(["F", "M"]), rng.choice(["free", "plus"])))
        t = T0 + timedelta(seconds=rng.randint(0, 20 * 86400))
        for _ in range(rng.choice([1, 1, 1, 2, 3])):             # sessions
            dev = device if rng.random() < 0.85 else rng.choice(["mobile", "desktop", "tablet"])
            price = round(rng.lognormvariate(3.5, 0.7), 2)
            for _ in range(rng.randint(1, 5)):
                events.append((uid, t, "view", dev, country, price))
                t += timedelta(seconds=rng.randint(5, 120))
            intent = 0.30 if dev == "desktop" else 0.18
            if rng.random() < intent:
                # Some carts share the view's second (a tie that must not break the funnel).
                t += timedelta(seconds=0 if rng.random() < 0.05 else rng.randint(5, 300))
                events.append((uid, t, "cart", dev, country, price))
                if rng.random() < 0.15:
                    events.append((uid, t + timedelta(seconds=40), "remove_from_cart", dev, country, price))
                if rng.random() < 0.45:
                    # Most buy soon; some come back days later, a few after the 7-day window.
                    later = timedelta(seconds=rng.randint(30, 3600)) if rng.random() < 0.7 else timedelta(days=rng.uniform(1, 9))
                    events.append((uid, t + later, "purchase", dev, country, price))
            t += timedelta(hours=rng.uniform(2, 96))
    events.sort(key=lambda e: e[1])
    with open(os.path.join(ROOT, "ecommerce.csv"), "w") as f:
        f.write("user_id,event_time,event_type,device,country,price\n")
        for uid, t, ev, dev, country, price in events:
            # The price is only known on cart and purchase events; elsewhere it is empty.
            p = f"{price:.2f}" if ev in ("cart", "purchase") else ""
            f.write(f"{uid},{t.strftime('%Y-%m-%d %H:%M:%S')} UTC,{ev},{dev},{country},{p}\n")
    with open(os.path.join(ROOT, "users.csv"), "w") as f:
        f.write("user_id,age,gender,plan\n")
        for uid, age, gender, plan in users:
            f.write(f"{uid},{age},{gender},{plan}\n")
    return len(events)


def b2b(rng):
    """B2B sales pipeline as JSON Lines: lead -> qualified -> meeting -> deal -> retained."""
    lines = []
    stages = ["lead_created", "lead_qualified", "meeting_held", "deal_won", "renewal"]
    for a in range(1, 451):
        account = f"acct-{a:03d}"
        region = rng.choice(["EMEA", "AMER", "APAC"])
        source = rng.choices(["inbound", "outbound", "partner"], [0.5, 0.35, 0.15])[0]
        size = rng.choice(["smb", "mid", "enterprise"])
        t = T0 + timedelta(days=rng.uniform(0, 60))
        odds = {"inbound": 0.62, "outbound": 0.45, "partner": 0.7}[source]
        value = round(rng.lognormvariate(9.5 if size != "enterprise" else 11, 0.6))
        for i, stage in enumerate(stages):
            rec = {"account": account, "ts": iso(t), "stage": stage, "region": region, "source": source, "size": size}
            if stage == "deal_won":
                rec["deal_value"] = value
            if stage == "renewal":
                rec["deal_value"] = round(value * rng.uniform(0.9, 1.3))
            if i > 0 and rng.random() < 0.2:
                rec["owner"] = None
            lines.append((t, rec))
            # Some accounts touch the CRM between stages (notes, emails).
            for _ in range(rng.randint(0, 3)):
                lines.append((t + timedelta(hours=rng.uniform(1, 48)),
                              {"account": account, "ts": iso(t + timedelta(hours=rng.uniform(1, 48))), "stage": "note",
                               "region": region, "source": source, "size": size}))
            if rng.random() > odds:
                break
            t += timedelta(days=rng.uniform(2, 45) if stage != "deal_won" else rng.uniform(300, 400))
    lines.sort(key=lambda x: x[1]["ts"])
    with open(os.path.join(ROOT, "b2b_pipeline.jsonl"), "w") as f:
        for _, rec in lines:
            f.write(json.dumps(rec) + "\n")
    return len(lines)


def aida(rng):
    """Marketing AIDA: awareness (ad seen) -> interest (content) -> decision (pricing) -> action (signup)."""
    rows = []
    for v in range(1, 1601):
        vid = f"v{v:05d}"
        channel = rng.choices(["search", "social", "email", "display"], [0.35, 0.3, 0.15, 0.2])[0]
        campaign = rng.choice(["spring_sale", "brand", "retarget"])
        t = T0 + timedelta(minutes=rng.randint(0, 30 * 24 * 60))
        rows.append((vid, t, "ad_impression", channel, campaign))
        p = {"search": 0.55, "social": 0.35, "email": 0.6, "display": 0.2}[channel]
        if rng.random() < p:
            t += timedelta(minutes=rng.randint(1, 600))
            for _ in range(rng.randint(1, 3)):
                rows.append((vid, t, "content_view", channel, campaign))
                t += timedelta(minutes=rng.randint(1, 30))
            if rng.random() < 0.45:
                t += timedelta(hours=rng.uniform(0, 72))
                rows.append((vid, t, "pricing_view", channel, campaign))
                if rng.random() < 0.4:
                    t += timedelta(minutes=rng.randint(1, 2000))
                    rows.append((vid, t, "signup", channel, campaign))
    rows.sort(key=lambda r: r[1])
    with open(os.path.join(ROOT, "aida.csv"), "w") as f:
        f.write("visitor,timestamp,action,channel,campaign\n")
        for vid, t, ev, ch, cp in rows:
            f.write(f"{vid},{int(t.timestamp())},{ev},{ch},{cp}\n")        # epoch seconds
    return len(rows)


def saas(rng):
    """SaaS trial: signup -> activate (first project) -> subscribe, by plan and team size,
    with an A/B test of the onboarding (a checklist raises activation by about 12 points)."""
    rows = []
    for a in range(1, 901):
        uid = f"acc{a:04d}"
        plan = rng.choices(["starter", "team", "business"], [0.5, 0.35, 0.15])[0]
        team = rng.randint(1, 40)
        variant = "checklist" if rng.random() < 0.5 else "control"
        t = T0 + timedelta(hours=rng.uniform(0, 40 * 24))
        rows.append((uid, t, "signup", plan, team, "", variant))
        for _ in range(rng.randint(0, 4)):
            rows.append((uid, t + timedelta(minutes=rng.randint(1, 300)), "login", plan, team, "", variant))
        lift = 0.12 if variant == "checklist" else 0.0
        if rng.random() < {"starter": 0.5, "team": 0.64, "business": 0.74}[plan] + lift:
            t += timedelta(hours=rng.lognormvariate(2.5, 1.2))               # activation, sometimes after 7 days
            rows.append((uid, t, "project_created", plan, team, "", variant))
            if rng.random() < 0.4:
                t += timedelta(days=rng.uniform(1, 16))
                mrr = {"starter": 19, "team": 49, "business": 199}[plan] * (1 + team // 10)
                rows.append((uid, t, "subscribed", plan, team, str(mrr), variant))
    rows.sort(key=lambda r: r[1])
    with open(os.path.join(ROOT, "saas_trial.csv"), "w") as f:
        f.write("account_id;occurred_at;name;plan;team_size;mrr;onboarding\n")      # semicolons, offsets
        for uid, t, ev, plan, team, mrr, variant in rows:
            local = t.astimezone(timezone(timedelta(hours=1)))
            f.write(f"{uid};{local.isoformat(timespec='milliseconds')};{ev};{plan};{team};{mrr};{variant}\n")
    return len(rows)


def sales_stages(rng):
    """The seven-stage sales funnel of the literature: awareness -> interest -> consideration ->
    intent -> decision -> purchase -> loyalty, from a CRM export: day-first times, 19-digit CRM
    ids, a region per lead, the channel of each touch and the deal size once a quote exists."""
    stages = ["ad_click", "newsletter_signup", "demo_request", "quote_request", "contract_sent", "contract_signed", "renewal"]
    # Chance to reach the next stage; interest loses the most (about two leads in three).
    carry = [0.34, 0.62, 0.72, 0.78, 0.62, 0.55]
    regions = {"EMEA": 1.0, "NA": 1.08, "APAC": 0.9, "LATAM": 0.8, "ANZ": 0.95}
    rows = []
    for lead in range(1, 2401):
        lid = f"L{lead:05d}"
        crm = str(2053013555631000000 + lead * 7919)            # beyond 2^53: read as exact text
        region = rng.choices(list(regions), [0.35, 0.3, 0.2, 0.1, 0.05])[0]
        size = ""
        t = T0 + timedelta(minutes=rng.randint(0, 75 * 24 * 60))
        for k, stage in enumerate(stages):
            if k > 0:
                if rng.random() > min(0.95, carry[k - 1] * regions[region]):
                    break
                t += timedelta(hours=rng.lognormvariate(3.0 if k < 5 else 5.0, 0.9))
            if k == 3:
                size = str(rng.choice([800, 2500, 6000, 12000, 30000, 75000]))
            channel = rng.choice(["search", "social", "email", "events"]) if k < 3 else rng.choice(["email", "sales_call"])
            rows.append((lid, crm, t, stage, region, channel, size))
    rows.sort(key=lambda r: r[2])
    with open(os.path.join(ROOT, "sales_stages.csv"), "w") as f:
        f.write("lead_id,crm_id,at,stage,region,channel,deal_size\n")
        for lid, crm, t, stage, region, channel, size in rows:
            f.write(f"{lid},{crm},{t.strftime('%d/%m/%Y %H:%M')},{stage},{region},{channel},{size}\n")   # day-first, no seconds
    return len(rows)


def customers(rng):
    """Customer analysis: six months of shop visits by 1,000 customers with a profile (age,
    gender, income). Each customer keeps a habit (how often they come, how often a visit ends
    in a cart, how often a cart is paid), so the loyalty they showed before August predicts how
    August's visits convert; order values grow with income."""
    profile, rows = [], []
    end = T0 + timedelta(days=184)                      # 2024-03-01 to 2024-09-01
    for c in range(1, 1001):
        cid = f"c{c:04d}"
        age = rng.randint(18, 75)
        gender = rng.choices(["F", "M", "X"], [0.49, 0.48, 0.03])[0]
        income = int(rng.lognormvariate(10.9, 0.45)) // 100 * 100 if rng.random() > 0.04 else None
        profile.append((cid, age, gender, income))
        habit = rng.choices(["loyal", "regular", "hesitant", "occasional"], [0.12, 0.28, 0.2, 0.4])[0]
        visits_per_month, cart_rate, pay_rate = {
            "loyal": (4.0, 0.55, 0.8), "regular": (2.0, 0.35, 0.55),
            "hesitant": (3.0, 0.05, 0.3), "occasional": (0.6, 0.25, 0.45)}[habit]
        if age >= 55:
            pay_rate *= 0.8                             # older customers hesitate at payment
        t = T0 + timedelta(hours=rng.uniform(0, 24 * 30))
        while True:
            t += timedelta(days=rng.expovariate(visits_per_month / 30.0))
            if t >= end:
                break
            s = t
            for _ in range(rng.randint(1, 3)):
                rows.append((cid, s, "view", ""))
                s += timedelta(seconds=rng.randint(20, 600))
            if rng.random() < cart_rate:
                s += timedelta(seconds=rng.randint(30, 900))
                rows.append((cid, s, "cart", ""))
                if rng.random() < pay_rate:
                    # Most pay within the hour; some come back days later.
                    s += timedelta(minutes=rng.lognormvariate(2.5, 1.0)) if rng.random() < 0.8 else timedelta(days=rng.uniform(1, 6))
                    amount = round(rng.lognormvariate(3.4, 0.5) * ((income or 40000) / 50000) ** 0.5, 2)
                    rows.append((cid, s, "purchase", f"{amount:.2f}"))
    rows.sort(key=lambda r: (r[1], r[0]))
    with open(os.path.join(ROOT, "customers.csv"), "w") as f:
        f.write("customer_id,ts,action,amount\n")
        for cid, t, action, amount in rows:
            f.write(f"{cid},{iso(t)},{action},{amount}\n")
    with open(os.path.join(ROOT, "customer_profiles.csv"), "w") as f:
        f.write("customer_id,age,gender,income\n")
        for cid, age, gender, income in profile:
            f.write(f"{cid},{age},{gender},{'' if income is None else income}\n")
    return len(rows)


def main():
    os.makedirs(ROOT, exist_ok=True)
    for name, fn, seed in [("ecommerce", ecommerce, 1), ("b2b_pipeline", b2b, 2), ("aida", aida, 3), ("saas_trial", saas, 4),
                           ("sales_stages", sales_stages, 5), ("customers", customers, 6)]:
        n = fn(random.Random(seed))
        print(f"{name}: {n} events")


if __name__ == "__main__":
    main()
