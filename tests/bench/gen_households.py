#!/usr/bin/python3
"""Generate households.csv and members.csv for lika import.

  gen_households.py OUTDIR [--villages CODE,CODE...]
                    [--households 10000] [--members 4] [--english] [--seed 1]
                    [--first 0]

Households have no 户编号 (import assigns ids) and name their head; members
are linked by 户主身份证号, the head included (an update of member 01) and
members 02.. added.  Headers are Chinese unless --english.  ID numbers are
valid GB 11643-1999 numbers, unique within a run, born 1940-2015; runs for
several townships stay apart with --first (the people numbered before).
"""
import argparse, csv, os, random

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
C = "10X98765432"

def idcard(rnd, seq, male, year):
    """A valid number, unique for seq < 5,000,000: the area code's last four
    digits and the sequence together count seq; the sequence's parity is the sex."""
    birth = "%04d%02d%02d" % (year, rnd.randint(1, 12), rnd.randint(1, 28))
    body = "52%04d" % (seq // 500 % 10000) + birth + "%03d" % ((seq % 500) * 2 + (1 if male else 0))
    return body + C[sum(int(d) * w for d, w in zip(body, W)) % 11]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--villages", default="522701101001")
    ap.add_argument("--households", type=int, default=10000)
    ap.add_argument("--members", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--english", action="store_true")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    villages = a.villages.split(",")
    os.makedirs(a.outdir, exist_ok=True)
    causes = "因病 因残 因学 因灾 缺土地 缺水 缺技术 缺劳力 缺资金 交通条件落后".split()
    rel = ["配偶", "之子", "之女", "之母", "之孙子"]
    surn = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "明华建国秀英兰芳军平伟强丽敏静"
    seq = a.first
    with open(os.path.join(a.outdir, "households.csv"), "w", newline="", encoding="utf-8-sig") as hf, \
         open(os.path.join(a.outdir, "members.csv"), "w", newline="", encoding="utf-8-sig") as mf:
        h = csv.writer(hf)
        m = csv.writer(mf)
        if a.english:
            h.writerow(["village", "head_name", "head_idcard", "address", "phone", "attribute",
                        "main_cause", "other_causes", "farmland", "dangerous_house"])
            m.writerow(["head_idcard", "name", "idcard", "sex", "relation", "education", "health", "labour"])
        else:
            h.writerow(["村代码", "户主姓名", "户主身份证号", "住址", "联系电话", "贫困户属性",
                        "主要致贫原因", "其他致贫原因", "耕地面积(亩)", "是否危房"])
            m.writerow(["户主身份证号", "姓名", "身份证号", "性别", "与户主关系", "文化程度", "健康状况", "劳动技能"])
        for i in range(a.households):
            v = villages[i % len(villages)]
            seq += 1
            head = idcard(rnd, seq, True, rnd.randint(1940, 1990))
            hname = rnd.choice(surn) + rnd.choice(given) + rnd.choice(given)
            main_c, other = rnd.sample(causes, 2)
            h.writerow([v, hname, head, "第%d组%d号" % (i % 9 + 1, i), "138%08d" % i,
                        "一般贫困户", main_c, other, "%d.%02d" % (rnd.randint(0, 9), rnd.randint(0, 99)),
                        rnd.choice(["是", "否"])])
            m.writerow([head, hname, head, "男", "户主", "小学", "健康", "普通劳动力"])
            for k in range(a.members - 1):
                seq += 1
                male = rnd.random() < 0.5
                p = idcard(rnd, seq, male, rnd.randint(1950, 2015))
                m.writerow([head, rnd.choice(surn) + rnd.choice(given), p, "男" if male else "女",
                            rel[k % len(rel)], "初中", "健康", "普通劳动力"])

if __name__ == "__main__":
    main()
