//! The matrix product of the kernels: the `gemm` crate (the GEMM burn's Flex uses), on the
//! calling thread: these products are small (`[64, 128] · [128, 512]` for a recurrent step,
//! `[21, 32] · [32, 20]` for one attention head), and `compare` already runs one training per core.

/// Where a matrix's elements lie in a slice: element `(i, j)` at `i · row + j · column`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Strides {
    pub row: usize,
    pub column: usize,
}

impl Strides {
    /// A row-major `[rows, columns]` matrix, or (`transposed`) the transpose of one stored as
    /// `[columns, rows]`.
    pub fn dense(rows: usize, columns: usize, transposed: bool) -> Strides {
        if transposed { Strides { row: 1, column: rows } } else { Strides { row: columns, column: 1 } }
    }

    /// The index of the last element of a `[rows, columns]` matrix, plus one.
    fn extent(self, rows: usize, columns: usize) -> usize {
        if rows == 0 || columns == 0 { 0 } else { (rows - 1) * self.row + (columns - 1) * self.column + 1 }
    }
}

/// `c = a · b`, row-major `a` `[m, k]`, `b` `[k, n]`, `c` `[m, n]`; `transpose_a` / `transpose_b`
/// read `a` as `[k, m]` / `b` as `[n, k]` stored row-major.
#[allow(clippy::too_many_arguments)]
pub(crate) fn matmul(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    transpose_a: bool,
    b: &[f32],
    transpose_b: bool,
    c: &mut [f32],
) {
    let (sa, sb, sc) =
        (Strides::dense(m, k, transpose_a), Strides::dense(k, n, transpose_b), Strides::dense(m, n, false));
    matmul_strided(m, k, n, (a, sa), (b, sb), (c, sc));
}

/// `c = a · b` for `a` `[m, k]`, `b` `[k, n]`, `c` `[m, n]` laid out by their [`Strides`].
pub(crate) fn matmul_strided(
    m: usize,
    k: usize,
    n: usize,
    (a, sa): (&[f32], Strides),
    (b, sb): (&[f32], Strides),
    (c, sc): (&mut [f32], Strides),
) {
    assert!(a.len() >= sa.extent(m, k) && b.len() >= sb.extent(k, n) && c.len() >= sc.extent(m, n), "matmul sizes");
    debug_assert!(sc.row >= n * sc.column || sc.column >= m * sc.row, "c's rows and columns overlap");
    // SAFETY: the assertion above keeps every index of the strided views inside the slices.
    unsafe {
        // gemm computes dst = alpha·dst + beta·lhs·rhs; alpha = 0 and read_dst = false overwrite c.
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            sc.column as isize,
            sc.row as isize,
            false,
            a.as_ptr(),
            sa.column as isize,
            sa.row as isize,
            b.as_ptr(),
            sb.column as isize,
            sb.row as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}
