// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// divide_zero.c - an integer division by zero. The operands are volatile so
// that the compiler emits a real idiv; the debugger must report an integer
// divide-by-zero exception (c0000094).

#include "guest_io.h"

int main(void)
{
    volatile int dividend = 1;
    volatile int divisor = 0;
    print("divide_zero: dividing 1 by 0\n");
    int const quotient = dividend / divisor;
    print("divide_zero: the division did not fault, quotient ");
    print_hex((unsigned long long)quotient);
    print("\n");
    return 0;
}
