/*
 * expr_lex.h - the tokenizer of the expression language.
 */
#ifndef SL_EXPR_LEX_H
#define SL_EXPR_LEX_H

#include <stddef.h>
#include <stdint.h>

enum sl_xtok {
	TK_END = 0,
	TK_INT,
	TK_DOUBLE,
	TK_STRING, /* decoded into the pool */
	TK_IDENT,  /* a bare name: points into the text */
	TK_QNAME,  /* a `quoted name`: decoded into the pool */
	TK_LPAREN,
	TK_RPAREN,
	TK_DOT,
	TK_COMMA,
	TK_EQ,
	TK_NE,
	TK_LT,
	TK_LE,
	TK_GT,
	TK_GE,
	TK_PLUS,
	TK_MINUS,
	TK_STAR,
	TK_SLASH,
	TK_LBRACKET, /* headers["name"] */
	TK_RBRACKET
};

typedef struct sl_xtoken {
	int kind;          /* enum sl_xtok */
	int column;        /* 1-based */
	const char *start; /* in the text */
	size_t len;        /* bytes of the text it spans */
	int64_t i;         /* TK_INT */
	int only_negated;  /* TK_INT 9223372036854775808: valid after '-' */
	double d;          /* TK_DOUBLE */
	uint32_t off;      /* TK_STRING, TK_QNAME: decoded bytes in the pool */
	uint32_t slen;
} sl_xtoken;

/* A growable byte buffer for decoded strings (offsets stay valid). */
typedef struct sl_xpool {
	char *data;
	size_t len, cap;
} sl_xpool;

typedef struct sl_xlexer {
	const char *text;
	const char *p;
	sl_xpool *pool;
	char *msg;       /* where errors go */
	size_t msgsize;
	int column;      /* column of the error, 0 when out of memory */
} sl_xlexer;

/* Append @p len bytes to @p pool; the offset, or -1 when out of memory. */
long sl_xpool_add(sl_xpool *pool, const char *p, size_t len);

/* Next token into @p tok: 0, or -1 with lx->msg and lx->column set. */
int sl_xlex_next(sl_xlexer *lx, sl_xtoken *tok);

/* printf into lx->msg and set lx->column; returns -1. */
int sl_xlex_error(sl_xlexer *lx, int column, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
