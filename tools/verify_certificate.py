#!/usr/bin/env python3
"""Independent checker of exact-interp hardmax certificates (Theorem 1.4).

    tools/verify_certificate.py MODEL.json DATASET.json [--quiet] [--max-bits B]

Re-reads a model file (docs/model-format.md) and a dataset file (docs/dataset-format.md) with
nothing but the Python 3 standard library, evaluates the transformer in exact rational arithmetic
(fractions.Fraction) straight from the definitions of docs/mathematics.md#architecture, and checks T(X^j) = Y^j as
sets for every pair. It shares no code with the Swift engine, so a certificate both accept has
been checked by two independent implementations.

A causal dataset ("causal": true, docs/causal.md) is checked position by position instead: the
model runs with its causal masks on each whole input sequence, output position i must equal target
i, and every attention layer that is not the identity must be masked.

Exit codes: 0 certified (every pair interpolated, dataset digest matches when the model records
one); 1 not certified (failing pairs listed); 2 bad input (unreadable or malformed file, dimension
or digest mismatch, or a coordinate above the resource limit --max-bits, default 1,000,000 bits,
as in exact-interp); 3 softmax model (outputs are irrational: not supported here, use
`exact-interp verify`).
"""

import argparse
import hashlib
import json
import re
import sys
from fractions import Fraction

FORMAT_NAME = "exact-interp-model"
FORMAT_VERSION = 1
MAX_DECIMAL_EXPONENT = 100000

# Python 3.11+ refuses int <-> str conversions of more than 4,300 digits by default; exact models
# legitimately hold larger integers, so the limit is lifted (the decimal exponent cap above and the
# file size bound the work instead).
if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)
MAX_DIMENSION = 1000000


class BadInput(Exception):
    """A malformed file: the message names the JSON path."""


class Softmax(Exception):
    """The model has a softmax layer."""


# ---------------------------------------------------------------------------------------------
# JSON that keeps numbers as the exact text they were written with.

class Num(str):
    """The literal text of a JSON number (0.1 stays "0.1", never the nearest double)."""


def _no_constants(name):
    raise ValueError("%s is not valid JSON" % name)


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError('duplicate key "%s"' % key)
        seen[key] = value
    return seen


def load_json(path, text=None):
    """The JSON document in the file `path` (or in `text`). Messages do not name the file: the caller
    prefixes it, so that every message names each file once."""
    try:
        if text is None:
            with open(path, "rb") as f:
                text = f.read().decode("utf-8")
    except OSError as e:
        raise BadInput("cannot read the file: %s" % e.strerror)
    except UnicodeDecodeError:
        raise BadInput("not UTF-8 text")
    try:
        return json.loads(text, parse_int=Num, parse_float=Num, parse_constant=_no_constants,
                          object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise BadInput("JSON nested too deeply")
    except ValueError as e:  # json.JSONDecodeError is a ValueError
        raise BadInput("JSON syntax error: %s" % e)


def kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, Num):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


# ---------------------------------------------------------------------------------------------
# Exact numbers: "-3", "7/12", "-1.25", "2.5e-3", 1E6 (the grammar of docs/dataset-format.md).

_FRACTION = re.compile(r"([+-]?)([0-9]+)/([0-9]+)\Z")
# A decimal point needs digits on both sides ("1." and ".5" are rejected), as in JSON and in the
# Swift reader; Tests/rational-grammar.json is the shared table both test suites check.
_DECIMAL = re.compile(r"([+-]?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?)([0-9]+))?\Z")


def parse_rational(text, path):
    """The exact value of `text`, or BadInput naming `path`."""
    m = _FRACTION.match(text)
    if m:
        sign, num, den = m.groups()
        if int(den) == 0:
            raise BadInput('%s: "%s" is not a rational number: zero denominator' % (path, text))
        value = Fraction(int(num), int(den))
        return -value if sign == "-" else value
    m = _DECIMAL.match(text)
    if not m:
        raise BadInput('%s: "%s" is not a rational number' % (path, text))
    sign, whole, frac, exp_sign, exp_digits = m.groups()
    frac = frac or ""
    exponent = 0
    if exp_digits is not None:
        if len(exp_digits.lstrip("0")) > 7:
            raise BadInput('%s: "%s": exponent out of range' % (path, text))
        exponent = int(exp_digits) * (-1 if exp_sign == "-" else 1)
    scale = exponent - len(frac)
    if abs(scale) > MAX_DECIMAL_EXPONENT:
        raise BadInput('%s: "%s": exponent out of range' % (path, text))
    mantissa = int((whole or "") + frac or "0")
    value = Fraction(mantissa) * (Fraction(10) ** scale)
    return -value if sign == "-" else value


def rational(value, path):
    if isinstance(value, str) and not isinstance(value, bool):  # Num is a str too
        return parse_rational(str(value), path)
    raise BadInput('%s: expected a number or a string such as "-7/12", found %s' % (path, kind(value)))


def text_of(q):
    """Lowest terms, "p/q" or "p": the canonical form of the dataset digest."""
    return str(q.numerator) if q.denominator == 1 else "%d/%d" % (q.numerator, q.denominator)


# ---------------------------------------------------------------------------------------------
# Field access with paths.

def join(path, key):
    return key if not path else path + "." + key


def obj(value, path, allowed):
    if not isinstance(value, dict):
        raise BadInput("%s: expected an object, found %s" % (path or "(top level)", kind(value)))
    for key in value:
        if key not in allowed:
            raise BadInput('%s: unknown key "%s" (expected %s)' % (join(path, key), key, ", ".join(allowed)))
    return value


def field(value, key, path):
    if key not in value:
        raise BadInput("%s: missing" % join(path, key))
    return value[key]


def array(value, path):
    if not isinstance(value, list):
        raise BadInput("%s: expected an array, found %s" % (path, kind(value)))
    return value


def string(value, path):
    if isinstance(value, Num) or not isinstance(value, str):
        raise BadInput("%s: expected a string, found %s" % (path, kind(value)))
    return value


def integer(value, path, low, high):
    if isinstance(value, Num) and re.match(r"-?[0-9]+\Z", value) and low <= int(value) <= high:
        return int(value)
    raise BadInput("%s: expected an integer in %d...%d" % (path, low, high))


def vector(value, d, path):
    items = array(value, path)
    if len(items) != d:
        raise BadInput("%s: expected %d entries, found %d" % (path, d, len(items)))
    return [rational(x, "%s[%d]" % (path, c)) for c, x in enumerate(items)]


def matrix(value, rows, d, path):
    items = array(value, path)
    if rows is not None and len(items) != rows:
        raise BadInput("%s: expected %d rows, found %d" % (path, rows, len(items)))
    if not items:
        raise BadInput("%s: a matrix needs at least one row" % path)
    return [vector(row, d, "%s[%d]" % (path, i)) for i, row in enumerate(items)]


# ---------------------------------------------------------------------------------------------
# Dataset (docs/dataset-format.md).

def read_dataset(path, text=None):
    """(d, pairs, causal) of a dataset file."""
    root = obj(load_json(path, text), "", ["name", "dimension", "causal", "pairs"])
    d = integer(field(root, "dimension", ""), "dimension", 1, MAX_DIMENSION)
    causal = root.get("causal", False)
    if not isinstance(causal, bool):
        raise BadInput("causal: expected true or false, found %s" % kind(causal))
    pairs = array(field(root, "pairs", ""), "pairs")
    if not pairs:
        raise BadInput("pairs: the dataset has no pairs")
    out = []
    for j, pair in enumerate(pairs):
        where = "pairs[%d]" % j
        pair = obj(pair, where, ["input", "output", "label"])
        if "label" in pair and causal:
            raise BadInput("%s.label: a causal dataset gives one target per input position: labels are for "
                           "classification datasets" % where)
        if "label" in pair:
            # A labelled pair (docs/dataset-format.md): its output is the model's token for the label.
            if "output" in pair:
                raise BadInput("%s: a pair has either \"output\" or \"label\", not both" % where)
            tokens = array(field(pair, "input", where), where + ".input")
            if not tokens:
                raise BadInput("%s.input: empty sequence" % where)
            out.append(([vector(t, d, "%s.input[%d]" % (where, i)) for i, t in enumerate(tokens)],
                        string(pair["label"], where + ".label")))
            continue
        seqs = []
        for side in ("input", "output"):
            tokens = array(field(pair, side, where), where + "." + side)
            if not tokens:
                raise BadInput("%s.%s: empty sequence" % (where, side))
            seqs.append([vector(t, d, "%s.%s[%d]" % (where, side, i)) for i, t in enumerate(tokens)])
        if causal and len(seqs[0]) != len(seqs[1]):
            raise BadInput("%s.output: a causal dataset needs one target per input position: %d input tokens but "
                           "%d output tokens" % (where, len(seqs[0]), len(seqs[1])))
        out.append((seqs[0], seqs[1]))
    if causal:
        check_causal_consistency(out)
    return d, out, causal


def check_causal_consistency(pairs):
    """Same prefix => same target; constant prefixes a, aa, ... share their target."""
    seen = {}
    constant = {}
    for j, (xs, ys) in enumerate(pairs):
        for i in range(len(xs)):
            key = tuple(tuple(x) for x in xs[: i + 1])
            if key in seen and seen[key][1] != ys[i]:
                raise BadInput("pairs[%d].output[%d]: pairs[%d] and pairs[%d] share their first %d tokens but give "
                               "that prefix different targets" % (j, i, seen[key][0], j, i + 1))
            seen.setdefault(key, (j, ys[i]))
        i = 0
        while i < len(xs) and xs[i] == xs[0]:
            a = tuple(xs[0])
            if a in constant and constant[a][1] != ys[i]:
                raise BadInput("pairs[%d].output[%d]: a prefix repeating one token has a different target than the "
                               "one of pairs[%d]: no transformer without positional information tells them apart"
                               % (j, i, constant[a][0]))
            constant.setdefault(a, (j, ys[i]))
            i += 1


def dataset_digest(d, pairs, causal=False):
    """"sha256:" + SHA-256 of the canonical text of docs/model-format.md."""
    lines = ["exact-interp dataset v1", "dimension %d" % d] + (["causal"] if causal else []) + ["pairs %d" % len(pairs)]
    for j, (xs, ys) in enumerate(pairs):
        lines.append("pair %d" % j)
        lines += ["in " + " ".join(text_of(c) for c in x) for x in xs]
        lines += ["out " + " ".join(text_of(c) for c in y) for y in ys]
    text = "\n".join(lines) + "\n"
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# Model (docs/model-format.md), every structured form turned into dense matrices.

def identity(d, scale=Fraction(1)):
    return [[scale if r == c else Fraction(0) for c in range(d)] for r in range(d)]


def read_scores(value, d, path):
    value = obj(value, path, ["type", "scale", "p", "q", "matrix", "query", "key"])
    t = string(field(value, "type", path), path + ".type")
    allowed = {"zero": [], "scaled_identity": ["scale"], "rank_one": ["p", "q"], "general": ["matrix"],
               "query_key": ["query", "key"]}
    if t not in allowed:
        raise BadInput('%s.type: unknown score matrix type "%s"' % (path, t))
    obj(value, path, ["type"] + allowed[t])
    if t == "zero":
        return ("dense", identity(d, Fraction(0)))
    if t == "scaled_identity":
        return ("dense", identity(d, rational(field(value, "scale", path), path + ".scale")))
    if t == "rank_one":
        p = vector(field(value, "p", path), d, path + ".p")
        q = vector(field(value, "q", path), d, path + ".q")
        return ("rank_one", p, q)
    if t == "general":
        return ("dense", matrix(field(value, "matrix", path), d, d, path + ".matrix"))
    query = matrix(field(value, "query", path), None, d, path + ".query")
    key = matrix(field(value, "key", path), len(query), d, path + ".key")
    a = [[sum((query[h][r] * key[h][c] for h in range(len(query))), Fraction(0)) for c in range(d)]
         for r in range(d)]
    return ("dense", a)


def read_value(value, d, path):
    value = obj(value, path, ["type", "scale", "matrix"])
    t = string(field(value, "type", path), path + ".type")
    allowed = {"zero": [], "scaled_identity": ["scale"], "general": ["matrix"]}
    if t not in allowed:
        raise BadInput('%s.type: unknown value matrix type "%s"' % (path, t))
    obj(value, path, ["type"] + allowed[t])
    if t == "zero":
        return identity(d, Fraction(0))
    if t == "scaled_identity":
        return identity(d, rational(field(value, "scale", path), path + ".scale"))
    return matrix(field(value, "matrix", path), d, d, path + ".matrix")


def read_model(path, text=None):
    root = obj(load_json(path, text), "", ["format", "version", "dimension", "temperature", "dataset_digest",
                                     "metadata", "labels", "blocks"])
    fmt = string(field(root, "format", ""), "format")
    if fmt != FORMAT_NAME:
        raise BadInput('format: expected "%s", found "%s"' % (FORMAT_NAME, fmt))
    version = integer(field(root, "version", ""), "version", 1, 1000)
    if version != FORMAT_VERSION:
        raise BadInput("version: this checker reads version %d, the file has version %d" % (FORMAT_VERSION, version))
    d = integer(field(root, "dimension", ""), "dimension", 1, MAX_DIMENSION)
    if "temperature" in root and rational(root["temperature"], "temperature") <= 0:
        raise BadInput("temperature: must be positive")
    digest = string(root["dataset_digest"], "dataset_digest") if "dataset_digest" in root else None
    if digest is not None and not re.match(r"sha256:[0-9a-f]{64}\Z", digest):
        raise BadInput('dataset_digest: expected "sha256:" and 64 lowercase hex digits, found "%s"' % digest)
    if "metadata" in root:
        meta = root["metadata"]
        if not isinstance(meta, dict):
            raise BadInput("metadata: expected an object, found %s" % kind(meta))
        for k, v in meta.items():
            string(v, "metadata." + k)
    blocks = []
    softmax_at = None
    for b, block in enumerate(array(field(root, "blocks", ""), "blocks")):
        where = "blocks[%d]" % b
        block = obj(block, where, ["stage", "padding", "feedforward", "attention"])
        string(field(block, "stage", where), where + ".stage")
        fw = where + ".feedforward"
        ff = obj(field(block, "feedforward", where), fw, ["eta", "ridges"])
        eta = rational(field(ff, "eta", fw), fw + ".eta")
        ridges = []
        for r, ridge in enumerate(array(field(ff, "ridges", fw), fw + ".ridges")):
            rw = "%s.ridges[%d]" % (fw, r)
            ridge = obj(ridge, rw, ["direction", "neurons"])
            u = vector(field(ridge, "direction", rw), d, rw + ".direction")
            neurons = []
            for n, neuron in enumerate(array(field(ridge, "neurons", rw), rw + ".neurons")):
                nw = "%s.neurons[%d]" % (rw, n)
                neuron = obj(neuron, nw, ["bias", "output"])
                neurons.append((rational(field(neuron, "bias", nw), nw + ".bias"),
                                vector(field(neuron, "output", nw), d, nw + ".output")))
            ridges.append((u, neurons))
        aw = where + ".attention"
        sa = obj(field(block, "attention", where), aw, ["kind", "rho", "causal", "heads"])
        kind_name = string(field(sa, "kind", aw), aw + ".kind")
        if kind_name not in ("hardmax", "softmax"):
            raise BadInput('%s.kind: expected "hardmax" or "softmax", found "%s"' % (aw, kind_name))
        rho = rational(field(sa, "rho", aw), aw + ".rho")
        causal = sa.get("causal", False)
        if not isinstance(causal, bool):
            raise BadInput("%s.causal: expected true or false, found %s" % (aw, kind(causal)))
        heads = []
        for h, head in enumerate(array(field(sa, "heads", aw), aw + ".heads")):
            hw = "%s.heads[%d]" % (aw, h)
            head = obj(head, hw, ["scores", "value"])
            heads.append((read_scores(field(head, "scores", hw), d, hw + ".scores"),
                          read_value(field(head, "value", hw), d, hw + ".value")))
        attention_is_identity = rho == 1 and all(all(x == 0 for row in v for x in row) for _, v in heads)
        if kind_name == "softmax" and not attention_is_identity and softmax_at is None:
            softmax_at = aw
        # "padding": identity layers added by an import to fit another block order (model-format.md).
        padding = array(block["padding"], where + ".padding") if "padding" in block else []
        seen = set()
        for k, name in enumerate(padding):
            pw = "%s.padding[%d]" % (where, k)
            if name not in ("feedforward", "attention") or name in seen:
                raise BadInput('%s: expected "feedforward" or "attention", each at most once, found %s' % (pw, json.dumps(name)))
            seen.add(name)
            if name == "feedforward" and not (eta == 1 and all(all(x == 0 for x in w) for _, ns in ridges for _, w in ns)):
                raise BadInput("%s: the feed-forward layer is marked as padding but is not the identity (eta 1, no non-zero outputs)" % pw)
            if name == "attention" and not attention_is_identity:
                raise BadInput("%s: the attention layer is marked as padding but is not the identity (rho 1, every value zero)" % pw)
        blocks.append((eta, ridges, rho, causal, heads, attention_is_identity))
    if softmax_at is not None:
        raise Softmax(softmax_at)
    return d, blocks, digest


# ---------------------------------------------------------------------------------------------
# Exact evaluation, from docs/mathematics.md#architecture.

def dot(a, b):
    return sum((x * y for x, y in zip(a, b)), Fraction(0))


def mat_vec(m, x):
    return [dot(row, x) for row in m]


def feed_forward(eta, ridges, x):
    """FF(x) = eta x + sum_r sum_j w_j relu(<u_r, x> + b_j)."""
    y = [eta * c for c in x]
    projections = {}  # <u, x> once per distinct direction (hat layers share one)
    for u, neurons in ridges:
        key = tuple(u)
        t = projections.get(key)
        if t is None:
            t = projections[key] = dot(u, x)
        for bias, w in neurons:
            pre = t + bias
            if pre > 0:
                y = [yc + pre * wc for yc, wc in zip(y, w)]
    return y


def attention(rho, causal, heads, xs):
    """SA(X)_i = rho x_i + sum_h (1/|C_i|) sum_{k in C_i} V_h x_k, C_i the argmax set of s_ik."""
    n = len(xs)
    out = [[rho * c for c in x] for x in xs]
    for scores, v in heads:
        if scores[0] == "rank_one":
            p, q = scores[1], scores[2]
            alpha = [dot(x, p) for x in xs]
            beta = [dot(q, x) for x in xs]
            score = lambda i, k: alpha[i] * beta[k]
        else:
            keys = [mat_vec(scores[1], x) for x in xs]  # A x_k, so s_ik = <x_i, A x_k>
            score = lambda i, k: dot(xs[i], keys[k])
        values = [mat_vec(v, x) for x in xs]
        for i in range(n):
            visible = range(i + 1) if causal else range(n)
            s = [score(i, k) for k in visible]
            best = max(s)
            argmax = [k for k, sk in zip(visible, s) if sk == best]
            for c in range(len(out[i])):
                out[i][c] += sum((values[k][c] for k in argmax), Fraction(0)) / len(argmax)
    return out


# The resource limit of `exact-interp` (docs/cli.md#resource-limits): the largest bit length of a
# numerator or denominator of any coordinate after any block. Above it both tools stop with exit 2.
MAX_BITS = 1000000


class ResourceLimit(Exception):
    pass


def evaluate(blocks, xs, max_bits=MAX_BITS):
    for b, (eta, ridges, rho, causal, heads, attention_is_identity) in enumerate(blocks):
        xs = [feed_forward(eta, ridges, x) for x in xs]
        if not attention_is_identity:
            xs = attention(rho, causal, heads, xs)
        for x in xs:
            for c in x:
                bits = max(c.numerator.bit_length(), c.denominator.bit_length())
                if bits > max_bits:
                    raise ResourceLimit("after block %d (0-based) a coordinate has %d bits, above the limit of %d bits "
                                        "for a numerator or denominator; raise it with --max-bits" % (b, bits, max_bits))
    return xs


def show(token):
    return "[" + ", ".join(text_of(c) for c in token) + "]"


def check_causal(blocks, pairs, digest, quiet):
    """Causal datasets: every non-identity attention masked, output i == target i for every position."""
    unmasked = 0
    for b, (_, _, _, causal, _, attention_is_identity) in enumerate(blocks):
        if not attention_is_identity and not causal:
            unmasked += 1
            print("block %d: attention has no causal mask: not a causal model" % b)
    failures = 0
    positions = 0
    for j, (xs, ys) in enumerate(pairs):
        got = evaluate(blocks, xs)
        bad = [i for i in range(len(ys)) if got[i] != ys[i]]
        positions += len(ys)
        for i in bad:
            failures += 1
            print("pair %d position %d: NOT interpolated: got %s, target %s" % (j, i, show(got[i]), show(ys[i])))
        if not bad and not quiet:
            print("pair %d: every position interpolated" % j)
    if failures or unmasked:
        print("NOT certified: %d of %d positions fail, %d attention layers unmasked (independent Python check, causal)"
              % (failures, positions, unmasked))
        return 1
    print("certified: every position i maps to its target y_i under the causal masks, %d positions in %d pairs "
          "(independent Python check, %d blocks%s)" % (positions, len(pairs), len(blocks),
                                                       ", digest matches" if digest is not None else ""))
    return 0


# ---------------------------------------------------------------------------------------------

def read_labels(path, d):
    """The label embedding a classifier's model file records ({label: token}), or None."""
    root = load_json(path)
    if "labels" not in root:
        return None
    out, seen = {}, set()
    for k, entry in enumerate(array(root["labels"], "labels")):
        where = "labels[%d]" % k
        entry = obj(entry, where, ["label", "token"])
        label = string(field(entry, "label", where), where + ".label")
        token = tuple(vector(field(entry, "token", where), d, where + ".token"))
        if label in out or token in seen:
            raise BadInput("%s: labels and their tokens must be distinct" % where)
        out[label] = list(token)
        seen.add(token)
    return out


def embed(pairs, labels):
    """Replaces every label by its token; a label the model does not know is an error."""
    out = []
    for j, (xs, ys) in enumerate(pairs):
        if isinstance(ys, str):
            if labels is None:
                raise BadInput("pairs[%d]: the dataset is labelled but the model records no labels" % j)
            if ys not in labels:
                raise BadInput('pairs[%d].label: "%s" is not a label of the model' % (j, ys))
            ys = [labels[ys]]
        out.append((xs, ys))
    return out


def file_kind(path):
    """"model", "dataset" or None: what the file looks like (its top-level keys), for the hint
    on swapped arguments. Never raises: a file that cannot be read is None."""
    try:
        root = load_json(path)
    except BadInput:
        return None
    if not isinstance(root, dict):
        return None
    if "format" in root or "blocks" in root:
        return "model"
    if "pairs" in root:
        return "dataset"
    return None


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as `error: …` plus the usage line, exit 2 (as before)."""

    def error(self, message):
        sys.stderr.write("error: %s\n%s" % (message, self.format_usage()))
        sys.exit(2)


def parse_arguments(argv):
    doc = __doc__.split("\n\n", 2)
    parser = Parser(
        prog="verify_certificate.py",
        description=doc[0] + "\n\n" + doc[2],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", metavar="MODEL.json", help="the model file (docs/model-format.md)")
    parser.add_argument("dataset", metavar="DATASET.json", help="the dataset file (docs/dataset-format.md)")
    parser.add_argument("--quiet", action="store_true", help="print only the failing pairs and the verdict")
    parser.add_argument("--max-bits", metavar="B", default=str(MAX_BITS),
                        help="resource limit: the largest bit length of a numerator or denominator of any "
                             "coordinate after any block (default %d); above it: exit 2" % MAX_BITS)
    return parser.parse_args(argv[1:])


def main(argv):
    args = parse_arguments(argv)
    if not re.match(r"[0-9]+\Z", args.max_bits) or int(args.max_bits) < 1:
        sys.stderr.write("error: --max-bits must be a positive integer, found %r\n" % args.max_bits)
        return 64
    max_bits = int(args.max_bits)
    quiet = args.quiet
    model_path, dataset_path = args.model, args.dataset
    try:
        d, blocks, digest = read_model(model_path)
    except BadInput as e:
        if file_kind(model_path) == "dataset":
            # Read again only now that the model failed: a good model is parsed once.
            if file_kind(dataset_path) == "model":
                sys.stderr.write("error: %s is a dataset and %s a model: arguments swapped? (usage: "
                                 "verify_certificate.py MODEL.json DATASET.json)\n" % (model_path, dataset_path))
            else:
                sys.stderr.write("error: %s: this looks like a dataset file, not a model (usage: "
                                 "verify_certificate.py MODEL.json DATASET.json)\n" % model_path)
            return 2
        sys.stderr.write("error: %s: %s\n" % (model_path, e))
        return 2
    except Softmax as e:
        sys.stderr.write("error: %s: %s is a softmax layer; this checker verifies hardmax certificates only "
                         "(softmax outputs are irrational: use `exact-interp verify`)\n" % (model_path, e))
        return 3
    try:
        dd, pairs, causal = read_dataset(dataset_path)
        pairs = embed(pairs, read_labels(model_path, d))
    except BadInput as e:
        if file_kind(dataset_path) == "model":
            sys.stderr.write("error: %s: this looks like a model file, not a dataset (usage: "
                             "verify_certificate.py MODEL.json DATASET.json)\n" % dataset_path)
            return 2
        sys.stderr.write("error: %s: %s\n" % (dataset_path, e))
        return 2
    if dd != d:
        sys.stderr.write("error: the model acts on Q^%d but the dataset's dimension is %d\n" % (d, dd))
        return 2
    if digest is not None:
        actual = dataset_digest(dd, pairs, causal)
        if actual != digest:
            sys.stderr.write("error: %s was built for dataset %s, but %s has digest %s\n"
                             % (model_path, digest, dataset_path, actual))
            return 2
    if causal:
        return check_causal(blocks, pairs, digest, quiet)
    failures = 0
    for j, (xs, ys) in enumerate(pairs):
        try:
            got = {tuple(t) for t in evaluate(blocks, xs, max_bits)}
        except ResourceLimit as e:
            sys.stderr.write("error: resource limit: pair %d: %s\n" % (j, e))
            return 2
        want = {tuple(t) for t in ys}
        if got == want:
            if not quiet:
                print("pair %d: interpolated" % j)
        else:
            failures += 1
            missing = sorted(show(t) for t in want - got)
            extra = sorted(show(t) for t in got - want)
            print("pair %d: NOT interpolated: missing from T(X): %s; not in Y: %s"
                  % (j, " ".join(missing) or "-", " ".join(extra) or "-"))
    if failures:
        print("NOT certified: %d of %d pairs fail (independent Python check)" % (failures, len(pairs)))
        return 1
    print("certified: T(X^j) = Y^j as sets for all %d pairs (independent Python check, %d blocks%s)"
          % (len(pairs), len(blocks), ", digest matches" if digest is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
