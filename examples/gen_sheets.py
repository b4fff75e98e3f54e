#!/usr/bin/python3
"""Office sheets in the national collection form's one-sheet layout, for lika import.

  gen_sheets.py OUTDIR [--households 1000] [--villages CODE,CODE...]
                [--seed 1] [--gb18030]

Writes OUTDIR/households.csv: a title row, then the header and one row a
household, its income of the year on the same row (年度, 工资性收入 ... 生产经营性
支出) beside 户主证件号码 and 家庭人口数, as the national form lays them out;
and OUTDIR/members.csv: every member (the head included), found by
户主证件号码.  --gb18030 writes both in GB18030 (as Excel on Chinese Windows
saves them), else UTF-8 with a BOM.  The same seed gives the same sheets.
The samples in examples/ are `gen_sheets.py examples --households 20` (and
--gb18030 for the -gb18030 copies); the tests and figures generate 1,000 and
10,000 households the same way.
"""
import argparse, csv, io, os, random

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
C = "10X98765432"

def idcard(rnd, seq, male, year):
    """A valid GB 11643-1999 number, unique for seq < 5,000,000; the sequence's parity is the sex."""
    birth = "%04d%02d%02d" % (year, rnd.randint(1, 12), rnd.randint(1, 28))
    body = "52%04d" % (seq // 500 % 10000) + birth + "%03d" % ((seq % 500) * 2 + (1 if male else 0))
    return body + C[sum(int(d) * w for d, w in zip(body, W)) % 11]

HEAD = ["序号", "乡镇", "行政村", "村代码", "户主姓名", "户主证件号码", "户主性别", "家庭人口数",
        "住址", "联系电话", "开户银行", "银行账号", "贫困户属性", "识别标准", "识别年度",
        "主要致贫原因", "其他致贫原因", "耕地面积", "有效灌溉面积", "林地面积", "住房面积",
        "是否危房", "饮水是否安全", "是否通生活用电", "距村主干路",
        "年度", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出"]
MHEAD = ["户主证件号码", "姓名", "证件号码", "性别", "与户主关系", "民族", "文化程度", "在校生状况",
         "健康状况", "劳动技能", "务工状况", "务工时间", "参加保险"]
CAUSES = "因病 因残 因学 因灾 缺土地 缺水 缺技术 缺劳力 缺资金 交通条件落后".split()
SURN = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "明华建国秀英兰芳军平伟强丽敏静"
MIGRANT = ["", "", "乡镇内", "乡镇外县内", "县外省内", "省外"]

def money(rnd, hi):
    return "%d.%02d" % (rnd.randint(0, hi), rnd.randint(0, 99)) if rnd.random() < 0.8 else ""

def household(rnd, i, village, seq):
    """One household's row and its members' rows; seq is the last ID sequence used."""
    size = rnd.randint(1, 6)
    seq += 1
    head = idcard(rnd, seq, True, rnd.randint(1940, 1985))
    hname = rnd.choice(SURN) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
    main_c, other = rnd.sample(CAUSES, 2)
    row = [i + 1, "", "", village, hname, head, "男", size, "第%d组%d号" % (i % 9 + 1, i + 1),
           "138%08d" % i, "农村信用社", "62%015d" % i, "一般贫困户", "国家标准", 2014, main_c, other,
           money(rnd, 9), money(rnd, 5), money(rnd, 20), "%d" % rnd.randint(20, 120),
           rnd.choice(["是", "否"]), rnd.choice(["是", "否"]), "是", "%d.%d" % (rnd.randint(0, 5), rnd.randint(0, 9)),
           2013, money(rnd, 6000), money(rnd, 3000), money(rnd, 300), money(rnd, 1500), money(rnd, 800)]
    members = [[head, hname, head, "男", "户主", "汉族", "小学", "非在校生", "健康", "普通劳动力",
                rnd.choice(MIGRANT[:4]), "", "新农合"]]
    rel = ["配偶", "之子", "之女", "之母", "之孙子"]
    for k in range(size - 1):
        seq += 1
        r = rel[k]
        male = r in ("之子", "之孙子") or (r not in ("配偶", "之女", "之母") and rnd.random() < 0.5)
        year = {"配偶": rnd.randint(1945, 1985), "之母": rnd.randint(1920, 1950)}.get(r, rnd.randint(1990, 2010))
        mig = rnd.choice(MIGRANT)
        members.append([head, rnd.choice(SURN) + rnd.choice(GIVEN), idcard(rnd, seq, male, year),
                        "男" if male else "女", r, "汉族", "初中", "非在校生", "健康", "普通劳动力",
                        mig, str(rnd.randint(1, 12)) if mig else "", "新农合、大病保险"])
    return row, members, seq

def write(path, rows, gb18030):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    with open(path, "wb") as f:
        f.write(buf.getvalue().encode("gb18030") if gb18030 else b"\xef\xbb\xbf" + buf.getvalue().encode())

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--households", type=int, default=1000)
    ap.add_argument("--villages", default="522701101001,522701101002")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gb18030", action="store_true")
    ap.add_argument("--suffix", default="", help="added to the file names (e.g. -gb18030)")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    villages = a.villages.split(",")
    hrows = [["贫困户信息采集表（一户一行，含年度收入）"] + [""] * (len(HEAD) - 1), HEAD]
    mrows = [MHEAD]
    seq = 0
    for i in range(a.households):
        row, members, seq = household(rnd, i, villages[i % len(villages)], seq)
        hrows.append(row)
        mrows.extend(members)
    os.makedirs(a.outdir, exist_ok=True)
    write(os.path.join(a.outdir, "households%s.csv" % a.suffix), hrows, a.gb18030)
    write(os.path.join(a.outdir, "members%s.csv" % a.suffix), mrows, a.gb18030)

if __name__ == "__main__":
    main()
