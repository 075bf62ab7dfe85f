/* The leak audit's inner loop: the runs of 5 words of a text, hashed, looked up in a table.
 *
 * `audit.plain_words` says what a text's words are; this reads them the same way, in one pass
 * over the bytes (tests/unit/test_words.py holds the two to the same words), and hashes each
 * window of 5 consecutive words. It buys the audit's cost target: a Python loop per word cannot read a
 * large site's output in a tenth of its build. audit.py works without it, more slowly.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define WINDOW 5 /* words in a window: audit._BLOCK */
#define RUN 8    /* words that make a leak: audit.RUN */

static int is_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_hex(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static unsigned char low(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

static int hex_value(unsigned char c) {
    return c <= '9' ? c - '0' : c - 'a' + 10;
}

static const uint64_t MIX = 0x9E3779B97F4A7C15ULL;

static uint64_t finish(uint64_t h) { /* splitmix64's last steps; never 0 (the empty slot) */
    h ^= h >> 30; h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 27; h *= 0x94D049BB133111EBULL;
    h ^= h >> 31;
    return h | 1;
}

/* Calls `seen(index, hash, context)` for every window of WINDOW words starting at a word
 * whose index is a multiple of `stride`; stops early if it returns nonzero. */
typedef int (*window_fn)(Py_ssize_t, uint64_t, void *);

/* What each byte is: 1 a byte of a word (ASCII letters and digits, bytes over 127), 2 the
 * start of a piece that may stand for punctuation, 0 punctuation; and its lower case. */
static unsigned char kind[256], lower[256];

struct reader {
    uint64_t ring[WINDOW], word;
    Py_ssize_t count, stride, length;
    int slot;
    window_fn seen;
    void *context;
    uint64_t *every; /* if set, every word's hash in order (room for one a byte) */
};

static int end_word(struct reader *r) {
    if (!r->length) return 0;
    r->ring[r->slot] = finish(r->word ^ ((uint64_t)r->length << 56));
    if (r->every) r->every[r->count] = r->ring[r->slot];
    r->word = 0;
    r->length = 0;
    r->slot = r->slot + 1 == WINDOW ? 0 : r->slot + 1;
    r->count++;
    if (r->seen == NULL || r->count < WINDOW || (r->count - WINDOW) % r->stride != 0) return 0;
    uint64_t g = 0;
    for (int w = 0, at = r->slot; w < WINDOW; w++, at = at + 1 == WINDOW ? 0 : at + 1) {
        g = (g + r->ring[at]) * MIX;
    }
    return r->seen(r->count - WINDOW, finish(g), r->context);
}

static inline void add_byte(struct reader *r, unsigned char c) {
    r->word = ((r->word << 5) | (r->word >> 59)) ^ c; /* each word is mixed when it ends */
    r->length++;
}

/* The words of `text` as plain_words reads them, in one pass: ASCII lower-cased; each
 * piece _PIECE matches (an entity, however often escaped; a JSON or URL escape; punctuation
 * outside ASCII) read as a space, but \uXXXX of a letter or digit as that letter; every other
 * byte but letters, digits and bytes over 127 a space. */
static int windows(const unsigned char *t, Py_ssize_t n, Py_ssize_t stride, window_fn seen,
                   void *context, uint64_t *every, Py_ssize_t *count) {
    struct reader r = {{0}, 0, 0, stride, 0, 0, seen, context, every};
    Py_ssize_t i = 0;
    while (i < n) {
        unsigned char c = t[i];
        if (kind[c] == 1) {
            add_byte(&r, lower[c]);
            i++;
            continue;
        }
        if (kind[c] == 0) {
            i++;
        } else if (c == 0xc2 || c == 0xe2) { /* punctuation outside ASCII, else a word's */
            if (c == 0xc2 && i + 1 < n && t[i + 1] >= 0x80 && t[i + 1] <= 0xbf) {
                i += 2;
            } else if (c == 0xe2 && i + 2 < n && (t[i + 1] == 0x80 || t[i + 1] == 0x81) &&
                       t[i + 2] >= 0x80 && t[i + 2] <= 0xbf) {
                i += 3;
            } else {
                add_byte(&r, c);
                i++;
                continue;
            }
        } else if (c == '&') { /* &(?:amp;)*(?:[#a-z0-9]{1,10};)? */
            i++;
            while (i + 3 < n && lower[t[i]] == 'a' && lower[t[i + 1]] == 'm' &&
                   lower[t[i + 2]] == 'p' && t[i + 3] == ';') {
                i += 4;
            }
            Py_ssize_t k = i;
            while (k < n && k - i < 11 && (is_alnum(t[k]) || t[k] == '#')) k++;
            if (k - i >= 1 && k - i <= 10 && k < n && t[k] == ';') i = k + 1;
        } else if (c == '\\' && i + 1 < n) { /* \\(?:u[0-9a-f]{4}|.) */
            if (lower[t[i + 1]] == 'u' && i + 5 < n && is_hex(lower[t[i + 2]]) &&
                is_hex(lower[t[i + 3]]) && is_hex(lower[t[i + 4]]) && is_hex(lower[t[i + 5]])) {
                int code = (hex_value(lower[t[i + 2]]) << 12) | (hex_value(lower[t[i + 3]]) << 8) |
                           (hex_value(lower[t[i + 4]]) << 4) | hex_value(lower[t[i + 5]]);
                i += 6;
                if (code < 128 && is_alnum((unsigned char)code)) {
                    add_byte(&r, lower[code]);
                    continue;
                }
            } else {
                i += 2;
            }
        } else if (c == '%' && i + 2 < n && is_hex(lower[t[i + 1]]) && is_hex(lower[t[i + 2]])) {
            i += 3;
        } else {
            i++;
        }
        if (end_word(&r)) return 1;
    }
    int stopped = end_word(&r);
    if (count) *count = r.count;
    return stopped;
}

struct collect {
    PyObject *list;
    const uint64_t *table;
    uint64_t mask;
    const unsigned char *filter; /* a bit a hash, of a size a cache holds: most windows stop here */
    uint64_t filter_mask;
};

static int add_hash(Py_ssize_t index, uint64_t hash, void *context) {
    struct collect *c = context;
    PyObject *value = PyLong_FromUnsignedLongLong(hash);
    if (value == NULL) return 1;
    int failed = PyList_Append(c->list, value);
    Py_DECREF(value);
    return failed;
}

static int add_hit(Py_ssize_t index, uint64_t hash, void *context) {
    struct collect *c = context;
    uint64_t bit = hash >> 32;
    if (!(c->filter[(bit >> 3) & c->filter_mask] & (1u << (bit & 7)))) return 0;
    uint64_t slot = hash & c->mask;
    while (c->table[slot]) {
        if (c->table[slot] == hash) {
            PyObject *pair = Py_BuildValue("(nK)", index, (unsigned long long)hash);
            if (pair == NULL) return 1;
            int failed = PyList_Append(c->list, pair);
            Py_DECREF(pair);
            return failed;
        }
        slot = (slot + 1) & c->mask;
    }
    return 0;
}

static PyObject *run(PyObject *args, int lookup) {
    Py_buffer data, table = {0}, filter = {0};
    Py_ssize_t stride;
    if (lookup) {
        if (!PyArg_ParseTuple(args, "y*y*y*n", &data, &table, &filter, &stride)) return NULL;
    } else if (!PyArg_ParseTuple(args, "y*n", &data, &stride)) {
        return NULL;
    }
    PyObject *result = NULL, *list = NULL;
    uint64_t *every = NULL;
    Py_ssize_t count = table.len / 8, bytes = filter.len, words = 0;
    if (stride < 1 || (lookup && (count == 0 || (count & (count - 1)) != 0 || bytes == 0 ||
                                  (bytes & (bytes - 1)) != 0))) {
        PyErr_SetString(PyExc_ValueError, "a stride of 1 or more, tables of 2**k slots");
        goto done;
    }
    list = PyList_New(0);
    if (list == NULL) goto done;
    struct collect c = {list, table.buf, (uint64_t)count - 1, filter.buf, (uint64_t)bytes - 1};
    if (windows(data.buf, data.len, stride, lookup ? add_hit : add_hash, &c, NULL, NULL)) {
        goto done;
    }
    if (!lookup) {
        result = list;
        list = NULL;
    } else if (PyList_GET_SIZE(list) == 0) {
        result = Py_BuildValue("(Oy#)", list, "", (Py_ssize_t)0);
    } else { /* the hits, and every word's hash: what they are checked by (read again, as
                few texts have a hit) */
        /* A word is a byte at least, and words are apart: at most half as many as bytes. */
        every = PyMem_Malloc((data.len / 2 + 1) * sizeof(uint64_t));
        if (every == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        windows(data.buf, data.len, stride, NULL, NULL, every, &words);
        result = Py_BuildValue("(Oy#)", list, (const char *)every, words * 8);
    }
done:
    Py_XDECREF(list);
    PyMem_Free(every);
    PyBuffer_Release(&data);
    if (lookup) {
        PyBuffer_Release(&table);
        PyBuffer_Release(&filter);
    }
    return result;
}

/* index(hashes) -> (table, filter) for hits(): the hashes open-addressed in 2**k slots of
 * 8 bytes (0 is a free slot; no hash is 0), and a bit a hash's high half in 2**j bytes. */
static PyObject *index_of(PyObject *self, PyObject *args) {
    Py_buffer hashes;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*", &hashes)) return NULL;
    const uint64_t *values = hashes.buf;
    Py_ssize_t n = hashes.len / 8, slots = 16, bytes = 16;
    while (slots < 2 * n) slots <<= 1;
    while (bytes < n / 2 && bytes < (1 << 20)) bytes <<= 1;
    PyObject *table = PyBytes_FromStringAndSize(NULL, slots * 8);
    PyObject *filter = PyBytes_FromStringAndSize(NULL, bytes);
    if (table == NULL || filter == NULL) {
        Py_XDECREF(table);
        Py_XDECREF(filter);
        PyBuffer_Release(&hashes);
        return NULL;
    }
    uint64_t *slot_of = (uint64_t *)PyBytes_AS_STRING(table);
    unsigned char *bits = (unsigned char *)PyBytes_AS_STRING(filter);
    memset(slot_of, 0, slots * 8);
    memset(bits, 0, bytes);
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t hash = values[i], slot = hash & (slots - 1), bit = hash >> 32;
        while (slot_of[slot] && slot_of[slot] != hash) slot = (slot + 1) & (slots - 1);
        slot_of[slot] = hash;
        bits[(bit >> 3) & (bytes - 1)] |= 1u << (bit & 7);
    }
    PyBuffer_Release(&hashes);
    return Py_BuildValue("(NN)", table, filter);
}

/* words(data) -> the hash of each word, 8 bytes each: what a window found is checked by. */
static PyObject *words_of(PyObject *self, PyObject *args) {
    Py_buffer data;
    if (!PyArg_ParseTuple(args, "y*", &data)) return NULL;
    uint64_t *every = PyMem_Malloc((data.len / 2 + 1) * sizeof(uint64_t));
    if (every == NULL) {
        PyBuffer_Release(&data);
        return PyErr_NoMemory();
    }
    Py_ssize_t count = 0;
    windows(data.buf, data.len, 1, NULL, NULL, every, &count);
    PyObject *result = PyBytes_FromStringAndSize((const char *)every, count * 8);
    PyMem_Free(every);
    PyBuffer_Release(&data);
    return result;
}

struct entry { uint64_t hash, owner; };

static int by_hash(const void *a, const void *b) {
    const struct entry *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return x->owner < y->owner ? -1 : x->owner > y->owner;
}

/* catalogue(texts) -> (hashes, owners): every window of WINDOW words of every text, its hash
 * and its owner (text << 24 | first word), 8 bytes each, sorted by hash. A window whose
 * RUN words around it are those of a window already listed is left out: boilerplate many
 * texts share needs one owner to be found. */
static PyObject *catalogue(PyObject *self, PyObject *args) {
    PyObject *texts;
    if (!PyArg_ParseTuple(args, "O", &texts)) return NULL;
    PyObject *sequence = PySequence_Fast(texts, "texts must be a sequence of bytes");
    if (sequence == NULL) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(sequence), total = 0, used = 0;
    for (Py_ssize_t t = 0; t < n; t++) {
        PyObject *text = PySequence_Fast_GET_ITEM(sequence, t);
        if (!PyBytes_Check(text)) {
            Py_DECREF(sequence);
            PyErr_SetString(PyExc_TypeError, "texts must be bytes");
            return NULL;
        }
        total += PyBytes_GET_SIZE(text) + 1;
    }
    struct entry *entries = PyMem_Malloc((total + 1) * sizeof(struct entry));
    uint64_t *every = PyMem_Malloc((total / 2 + 1) * sizeof(uint64_t));
    Py_ssize_t slots = 16;
    while (slots < 2 * (total + 1)) slots <<= 1;
    uint64_t *seen = PyMem_Calloc(slots, sizeof(uint64_t));
    if (entries == NULL || every == NULL || seen == NULL) {
        PyMem_Free(entries);
        PyMem_Free(every);
        PyMem_Free(seen);
        Py_DECREF(sequence);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t t = 0; t < n; t++) {
        PyObject *text = PySequence_Fast_GET_ITEM(sequence, t);
        Py_ssize_t count = 0;
        windows((const unsigned char *)PyBytes_AS_STRING(text), PyBytes_GET_SIZE(text), 1, NULL,
                NULL, every, &count);
        for (Py_ssize_t first = 0; first + WINDOW <= count; first++) {
            uint64_t g = 0, around = 0;
            for (int w = 0; w < WINDOW; w++) g = (g + every[first + w]) * MIX;
            g = finish(g);
            Py_ssize_t from = first >= RUN ? first - RUN : 0;
            Py_ssize_t to = first + WINDOW + RUN < count ? first + WINDOW + RUN : count;
            for (Py_ssize_t w = from; w < to; w++) around = (around + every[w]) * MIX;
            uint64_t key = finish(around ^ (g * MIX) ^ (uint64_t)(first - from) << 48);
            uint64_t slot = key & (slots - 1);
            while (seen[slot] && seen[slot] != key) slot = (slot + 1) & (slots - 1);
            if (seen[slot]) continue; /* the same words around it: found as the first is */
            seen[slot] = key;
            entries[used].hash = g;
            entries[used].owner = ((uint64_t)t << 24) | (uint64_t)first;
            used++;
        }
    }
    Py_DECREF(sequence);
    PyMem_Free(every);
    PyMem_Free(seen);
    qsort(entries, used, sizeof(struct entry), by_hash);
    PyObject *hashes = PyBytes_FromStringAndSize(NULL, used * 8);
    PyObject *owners = PyBytes_FromStringAndSize(NULL, used * 8);
    if (hashes != NULL && owners != NULL) {
        uint64_t *h = (uint64_t *)PyBytes_AS_STRING(hashes), *o = (uint64_t *)PyBytes_AS_STRING(owners);
        for (Py_ssize_t i = 0; i < used; i++) {
            h[i] = entries[i].hash;
            o[i] = entries[i].owner;
        }
    }
    PyMem_Free(entries);
    if (hashes == NULL || owners == NULL) {
        Py_XDECREF(hashes);
        Py_XDECREF(owners);
        return NULL;
    }
    return Py_BuildValue("(NN)", hashes, owners);
}

static PyObject *grams(PyObject *self, PyObject *args) { return run(args, 0); }

static PyObject *hits(PyObject *self, PyObject *args) { return run(args, 1); }

static PyMethodDef methods[] = {
    {"grams", grams, METH_VARARGS,
     "grams(data, stride) -> [hash of each window of 5 words starting at a multiple of stride]"},
    {"words", words_of, METH_VARARGS, "words(data) -> the hash of each word, 8 bytes each"},
    {"catalogue", catalogue, METH_VARARGS,
     "catalogue(texts) -> (hashes, owners) of their windows, sorted by hash"},
    {"index", index_of, METH_VARARGS,
     "index(hashes) -> (table, filter): what hits() looks windows up in"},
    {"hits", hits, METH_VARARGS,
     "hits(data, table, filter, stride) -> ([(word index, hash) of each such window in the "
     "table], the hash of every word if there is one)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_words", NULL, -1, methods};

PyMODINIT_FUNC PyInit__words(void) {
    for (int c = 0; c < 256; c++) {
        lower[c] = low((unsigned char)c);
        kind[c] = (is_alnum((unsigned char)c) || c >= 0x80) ? 1 : 0;
    }
    kind['&'] = kind['\\'] = kind['%'] = kind[0xc2] = kind[0xe2] = 2;
    return PyModule_Create(&module);
}
