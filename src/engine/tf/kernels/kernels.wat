;; Hand-written kernels for the TF.js WebAssembly backend, four lanes at a time: the elementwise
;; part of one LSTM or GRU timestep (forward and backward), a row softmax for the cross-entropy loss,
;; an Adam step, and a matrix transpose.
;;
;; Runs on the TF.js WebAssembly backend's own memory (imported), so it reads and writes tensors
;; where they lie: the matrix products stay with the backend (XNNPACK), and a timestep becomes one
;; product and one call here instead of ~35 TF.js kernels. No data segments and no globals in
;; memory: nothing here may write outside the pointers it is given.
;;
;; Layout (row-major, float32): LSTM gates [rows, 4·units] in Keras order i, f, g, o; states [rows, units].
;; `units` must be a multiple of 4. A null pointer (0) stands for a block of zeros.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; e^x for four lanes (Cephes expf: x = n·ln2 + r, |r| ≤ ln2/2, degree-5 polynomial; ~1 ulp on
  ;; the clamped range, which keeps 2^n a normal float). Written for V8's code generator: pmin/pmax
  ;; are single instructions where min/max's NaN rules cost several, and n is rounded by adding
  ;; 1.5·2^23, which leaves it in the low mantissa bits ready to shift into the exponent
  ;; (measured: sigmoid 3.7 → 2.4 ns a number).
  (func $exp (param $x v128) (result v128)
    (local $t v128) (local $n v128) (local $r v128) (local $p v128)
    ;; x first in both: pmin(a, b) = b < a ? b : a, so a NaN x passes through (the trainer stops
    ;; a run whose loss turns NaN; clamping it to a number would hide the divergence).
    (local.set $x (f32x4.pmax (f32x4.pmin (local.get $x) (f32x4.splat (f32.const 88.3762626647949)))
                              (f32x4.splat (f32.const -87.3365447504019))))
    (local.set $t (f32x4.add (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.44269504088896341)))
                             (f32x4.splat (f32.const 12582912))))
    (local.set $n (f32x4.sub (local.get $t) (f32x4.splat (f32.const 12582912))))
    ;; r = x − n·ln2, with ln2 split in two so the product is exact
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $r (f32x4.add (local.get $r) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 2.12194440e-4)))))
    (local.set $p (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $p (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $p) (local.get $r)) (local.get $r)) (local.get $r))
                             (f32x4.splat (f32.const 1))))
    ;; 2^n: n sits in the low bits of t (|n| ≤ 127 < 2^22); n + 127 shifted into the exponent field
    ;; (the shift drops t's own exponent bits, whose low nine are zero).
    (f32x4.mul (local.get $p) (i32x4.shl (i32x4.add (local.get $t) (i32x4.splat (i32.const 127))) (i32.const 23))))

;; e^x for four vectors at once: $exp's steps interleaved across them, so the four dependency
;; chains overlap (V8 neither inlines nor schedules across wasm calls here). Same operations in
;; the same order as $exp, so the same results; measured: seed 004's step ~1.5% faster.
  (func $exp4 (param $a v128) (param $b v128) (param $c v128) (param $d v128) (result v128 v128 v128 v128)
    (local $ta v128) (local $na v128) (local $ra v128) (local $pa v128)
    (local $tb v128) (local $nb v128) (local $rb v128) (local $pb v128)
    (local $tc v128) (local $nc v128) (local $rc v128) (local $pc v128)
    (local $td v128) (local $nd v128) (local $rd v128) (local $pd v128)
    (local.set $a (f32x4.pmax (f32x4.pmin (local.get $a) (f32x4.splat (f32.const 88.3762626647949))) (f32x4.splat (f32.const -87.3365447504019))))
    (local.set $b (f32x4.pmax (f32x4.pmin (local.get $b) (f32x4.splat (f32.const 88.3762626647949))) (f32x4.splat (f32.const -87.3365447504019))))
    (local.set $c (f32x4.pmax (f32x4.pmin (local.get $c) (f32x4.splat (f32.const 88.3762626647949))) (f32x4.splat (f32.const -87.3365447504019))))
    (local.set $d (f32x4.pmax (f32x4.pmin (local.get $d) (f32x4.splat (f32.const 88.3762626647949))) (f32x4.splat (f32.const -87.3365447504019))))
    (local.set $ta (f32x4.add (f32x4.mul (local.get $a) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912))))
    (local.set $tb (f32x4.add (f32x4.mul (local.get $b) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912))))
    (local.set $tc (f32x4.add (f32x4.mul (local.get $c) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912))))
    (local.set $td (f32x4.add (f32x4.mul (local.get $d) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912))))
    (local.set $na (f32x4.sub (local.get $ta) (f32x4.splat (f32.const 12582912))))
    (local.set $nb (f32x4.sub (local.get $tb) (f32x4.splat (f32.const 12582912))))
    (local.set $nc (f32x4.sub (local.get $tc) (f32x4.splat (f32.const 12582912))))
    (local.set $nd (f32x4.sub (local.get $td) (f32x4.splat (f32.const 12582912))))
    (local.set $ra (f32x4.sub (local.get $a) (f32x4.mul (local.get $na) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $rb (f32x4.sub (local.get $b) (f32x4.mul (local.get $nb) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $rc (f32x4.sub (local.get $c) (f32x4.mul (local.get $nc) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $rd (f32x4.sub (local.get $d) (f32x4.mul (local.get $nd) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $ra (f32x4.add (local.get $ra) (f32x4.mul (local.get $na) (f32x4.splat (f32.const 2.12194440e-4)))))
    (local.set $rb (f32x4.add (local.get $rb) (f32x4.mul (local.get $nb) (f32x4.splat (f32.const 2.12194440e-4)))))
    (local.set $rc (f32x4.add (local.get $rc) (f32x4.mul (local.get $nc) (f32x4.splat (f32.const 2.12194440e-4)))))
    (local.set $rd (f32x4.add (local.get $rd) (f32x4.mul (local.get $nd) (f32x4.splat (f32.const 2.12194440e-4)))))
    (local.set $pa (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $pb (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $pc (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $pd (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $pa (f32x4.add (f32x4.mul (local.get $pa) (local.get $ra)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $pb (f32x4.add (f32x4.mul (local.get $pb) (local.get $rb)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $pc (f32x4.add (f32x4.mul (local.get $pc) (local.get $rc)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $pd (f32x4.add (f32x4.mul (local.get $pd) (local.get $rd)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $pa (f32x4.add (f32x4.mul (local.get $pa) (local.get $ra)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $pb (f32x4.add (f32x4.mul (local.get $pb) (local.get $rb)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $pc (f32x4.add (f32x4.mul (local.get $pc) (local.get $rc)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $pd (f32x4.add (f32x4.mul (local.get $pd) (local.get $rd)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $pa (f32x4.add (f32x4.mul (local.get $pa) (local.get $ra)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $pb (f32x4.add (f32x4.mul (local.get $pb) (local.get $rb)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $pc (f32x4.add (f32x4.mul (local.get $pc) (local.get $rc)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $pd (f32x4.add (f32x4.mul (local.get $pd) (local.get $rd)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $pa (f32x4.add (f32x4.mul (local.get $pa) (local.get $ra)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $pb (f32x4.add (f32x4.mul (local.get $pb) (local.get $rb)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $pc (f32x4.add (f32x4.mul (local.get $pc) (local.get $rc)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $pd (f32x4.add (f32x4.mul (local.get $pd) (local.get $rd)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $pa (f32x4.add (f32x4.mul (local.get $pa) (local.get $ra)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $pb (f32x4.add (f32x4.mul (local.get $pb) (local.get $rb)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $pc (f32x4.add (f32x4.mul (local.get $pc) (local.get $rc)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $pd (f32x4.add (f32x4.mul (local.get $pd) (local.get $rd)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $pa (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $pa) (local.get $ra)) (local.get $ra)) (local.get $ra)) (f32x4.splat (f32.const 1))))
    (local.set $pb (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $pb) (local.get $rb)) (local.get $rb)) (local.get $rb)) (f32x4.splat (f32.const 1))))
    (local.set $pc (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $pc) (local.get $rc)) (local.get $rc)) (local.get $rc)) (f32x4.splat (f32.const 1))))
    (local.set $pd (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $pd) (local.get $rd)) (local.get $rd)) (local.get $rd)) (f32x4.splat (f32.const 1))))
    (f32x4.mul (local.get $pa) (i32x4.shl (i32x4.add (local.get $ta) (i32x4.splat (i32.const 127))) (i32.const 23)))
    (f32x4.mul (local.get $pb) (i32x4.shl (i32x4.add (local.get $tb) (i32x4.splat (i32.const 127))) (i32.const 23)))
    (f32x4.mul (local.get $pc) (i32x4.shl (i32x4.add (local.get $tc) (i32x4.splat (i32.const 127))) (i32.const 23)))
    (f32x4.mul (local.get $pd) (i32x4.shl (i32x4.add (local.get $td) (i32x4.splat (i32.const 127))) (i32.const 23))))

  ;; σ(x) = 1 / (1 + e^−x)
  (func $sigmoid (param $x v128) (result v128)
    (f32x4.div (f32x4.splat (f32.const 1))
               (f32x4.add (f32x4.splat (f32.const 1)) (call $exp (f32x4.neg (local.get $x))))))

  ;; tanh(x) = 1 − 2 / (e^2x + 1)
  (func $tanh (param $x v128) (result v128)
    (f32x4.sub (f32x4.splat (f32.const 1))
               (f32x4.div (f32x4.splat (f32.const 2))
                          (f32x4.add (call $exp (f32x4.add (local.get $x) (local.get $x))) (f32x4.splat (f32.const 1))))))

  ;; Loads four lanes at p + offset, or zeros when p is null.
  (func $loadOrZero (param $p i32) (param $offset i32) (result v128)
    (if (result v128) (local.get $p)
      (then (v128.load (i32.add (local.get $p) (local.get $offset))))
      (else (v128.const i32x4 0 0 0 0))))

  ;; Forward: z = xw + recurrentProduct; i, f, o = σ(z·), g = tanh(z_g); c = f·cPrev + i·g; h = o·tanh(c).
  ;; Writes the activations (i, f, g, o) to `act` [rows, 4·units], c to `cell` and h to `hidden`.
  (func (export "lstmForward")
    (param $xw i32) (param $product i32) (param $cPrev i32)
    (param $act i32) (param $cell i32) (param $hidden i32)
    (param $rows i32) (param $units i32)
    (local $gateBytes i32) (local $rowGates i32) (local $rowState i32) (local $row i32) (local $j i32)
    (local $gi v128) (local $gf v128) (local $gg v128) (local $go v128) (local $c v128)
    (local.set $gateBytes (i32.shl (local.get $units) (i32.const 2)))
    (local.set $row (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $rowGates (i32.mul (local.get $row) (i32.shl (local.get $gateBytes) (i32.const 2))))
      (local.set $rowState (i32.mul (local.get $row) (local.get $gateBytes)))
      (local.set $j (i32.const 0))
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $gateBytes)))
        ;; the four gates' pre-activations, then their exponentials in one call: e^−z for the sigmoids, e^2z for tanh
        (local.set $gi (f32x4.add
          (v128.load (i32.add (local.get $xw) (i32.add (local.get $rowGates) (local.get $j))))
          (call $loadOrZero (local.get $product) (i32.add (local.get $rowGates) (local.get $j)))))
        (local.set $gf (f32x4.add
          (v128.load (i32.add (local.get $xw) (i32.add (i32.add (local.get $rowGates) (local.get $gateBytes)) (local.get $j))))
          (call $loadOrZero (local.get $product) (i32.add (i32.add (local.get $rowGates) (local.get $gateBytes)) (local.get $j)))))
        (local.set $gg (f32x4.add
          (v128.load (i32.add (local.get $xw) (i32.add (i32.add (local.get $rowGates) (i32.shl (local.get $gateBytes) (i32.const 1))) (local.get $j))))
          (call $loadOrZero (local.get $product) (i32.add (i32.add (local.get $rowGates) (i32.shl (local.get $gateBytes) (i32.const 1))) (local.get $j)))))
        (local.set $go (f32x4.add
          (v128.load (i32.add (local.get $xw) (i32.add (i32.add (local.get $rowGates) (i32.mul (local.get $gateBytes) (i32.const 3))) (local.get $j))))
          (call $loadOrZero (local.get $product) (i32.add (i32.add (local.get $rowGates) (i32.mul (local.get $gateBytes) (i32.const 3))) (local.get $j)))))
        (call $exp4 (f32x4.neg (local.get $gi)) (f32x4.neg (local.get $gf)) (f32x4.add (local.get $gg) (local.get $gg)) (f32x4.neg (local.get $go)))
        (local.set $go)
        (local.set $gg)
        (local.set $gf)
        (local.set $gi)
        ;; as $sigmoid and $tanh compute them
        (local.set $gi (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (local.get $gi))))
        (local.set $gf (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (local.get $gf))))
        (local.set $gg (f32x4.sub (f32x4.splat (f32.const 1)) (f32x4.div (f32x4.splat (f32.const 2)) (f32x4.add (local.get $gg) (f32x4.splat (f32.const 1))))))
        (local.set $go (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (local.get $go))))
        (v128.store (i32.add (local.get $act) (i32.add (local.get $rowGates) (local.get $j))) (local.get $gi))
        (v128.store (i32.add (local.get $act) (i32.add (i32.add (local.get $rowGates) (local.get $gateBytes)) (local.get $j))) (local.get $gf))
        (v128.store (i32.add (local.get $act) (i32.add (i32.add (local.get $rowGates) (i32.shl (local.get $gateBytes) (i32.const 1))) (local.get $j))) (local.get $gg))
        (v128.store (i32.add (local.get $act) (i32.add (i32.add (local.get $rowGates) (i32.mul (local.get $gateBytes) (i32.const 3))) (local.get $j))) (local.get $go))
        (local.set $c (f32x4.add
          (f32x4.mul (local.get $gf) (call $loadOrZero (local.get $cPrev) (i32.add (local.get $rowState) (local.get $j))))
          (f32x4.mul (local.get $gi) (local.get $gg))))
        (v128.store (i32.add (local.get $cell) (i32.add (local.get $rowState) (local.get $j))) (local.get $c))
        (v128.store (i32.add (local.get $hidden) (i32.add (local.get $rowState) (local.get $j)))
          (f32x4.mul (local.get $go) (call $tanh (local.get $c))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $cols)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rows))))

  ;; Backward through one timestep. dh = dy + dhRecurrent (the next step's dz·Uᵀ);
  ;; dc = dcCarried + dh·o·(1 − tanh²c); dz = [dc·g·i(1−i) | dc·cPrev·f(1−f) | dc·i(1−g²) | dh·tanh(c)·o(1−o)].
  ;; Writes dz to `dz` [rows, 4·units] and dc·f back to `dc` (the carry for the step before).
  ;; `first` = 1 on the last timestep, where the carried dc is zero whatever `dc` holds.
  (func (export "lstmBackward")
    (param $dy i32) (param $dhRecurrent i32) (param $dc i32) (param $first i32)
    (param $act i32) (param $cell i32) (param $cPrev i32) (param $dz i32)
    (param $rows i32) (param $units i32)
    (local $gateBytes i32) (local $rowGates i32) (local $rowState i32) (local $row i32) (local $j i32)
    (local $gi v128) (local $gf v128) (local $gg v128) (local $go v128) (local $tc v128)
    (local $dh v128) (local $dcv v128) (local $one v128)
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $gateBytes (i32.shl (local.get $units) (i32.const 2)))
    (local.set $row (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $rowGates (i32.mul (local.get $row) (i32.shl (local.get $gateBytes) (i32.const 2))))
      (local.set $rowState (i32.mul (local.get $row) (local.get $gateBytes)))
      (local.set $j (i32.const 0))
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $gateBytes)))
        (local.set $gi (v128.load (i32.add (local.get $act) (i32.add (local.get $rowGates) (local.get $j)))))
        (local.set $gf (v128.load (i32.add (local.get $act) (i32.add (i32.add (local.get $rowGates) (local.get $gateBytes)) (local.get $j)))))
        (local.set $gg (v128.load (i32.add (local.get $act) (i32.add (i32.add (local.get $rowGates) (i32.shl (local.get $gateBytes) (i32.const 1))) (local.get $j)))))
        (local.set $go (v128.load (i32.add (local.get $act) (i32.add (i32.add (local.get $rowGates) (i32.mul (local.get $gateBytes) (i32.const 3))) (local.get $j)))))
        (local.set $tc (call $tanh (v128.load (i32.add (local.get $cell) (i32.add (local.get $rowState) (local.get $j))))))
        (local.set $dh (f32x4.add
          (v128.load (i32.add (local.get $dy) (i32.add (local.get $rowState) (local.get $j))))
          (call $loadOrZero (local.get $dhRecurrent) (i32.add (local.get $rowState) (local.get $j)))))
        (local.set $dcv (f32x4.mul (f32x4.mul (local.get $dh) (local.get $go))
                                   (f32x4.sub (local.get $one) (f32x4.mul (local.get $tc) (local.get $tc)))))
        (if (i32.eqz (local.get $first))
          (then (local.set $dcv (f32x4.add (local.get $dcv)
                  (v128.load (i32.add (local.get $dc) (i32.add (local.get $rowState) (local.get $j))))))))
        ;; dz_i = dc·g·i(1−i)
        (v128.store (i32.add (local.get $dz) (i32.add (local.get $rowGates) (local.get $j)))
          (f32x4.mul (f32x4.mul (local.get $dcv) (local.get $gg))
                     (f32x4.mul (local.get $gi) (f32x4.sub (local.get $one) (local.get $gi)))))
        ;; dz_f = dc·cPrev·f(1−f)
        (v128.store (i32.add (local.get $dz) (i32.add (i32.add (local.get $rowGates) (local.get $gateBytes)) (local.get $j)))
          (f32x4.mul (f32x4.mul (local.get $dcv) (call $loadOrZero (local.get $cPrev) (i32.add (local.get $rowState) (local.get $j))))
                     (f32x4.mul (local.get $gf) (f32x4.sub (local.get $one) (local.get $gf)))))
        ;; dz_g = dc·i(1−g²)
        (v128.store (i32.add (local.get $dz) (i32.add (i32.add (local.get $rowGates) (i32.shl (local.get $gateBytes) (i32.const 1))) (local.get $j)))
          (f32x4.mul (f32x4.mul (local.get $dcv) (local.get $gi))
                     (f32x4.sub (local.get $one) (f32x4.mul (local.get $gg) (local.get $gg)))))
        ;; dz_o = dh·tanh(c)·o(1−o)
        (v128.store (i32.add (local.get $dz) (i32.add (i32.add (local.get $rowGates) (i32.mul (local.get $gateBytes) (i32.const 3))) (local.get $j)))
          (f32x4.mul (f32x4.mul (local.get $dh) (local.get $tc))
                     (f32x4.mul (local.get $go) (f32x4.sub (local.get $one) (local.get $go)))))
        (v128.store (i32.add (local.get $dc) (i32.add (local.get $rowState) (local.get $j)))
          (f32x4.mul (local.get $dcv) (local.get $gf)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $cols)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rows))))

;; GRU forward through one timestep, as Keras computes it by default (reset gate applied after
;; the recurrent product, separate recurrent bias). Gates [rows, 3·units] in Keras order z, r, h.
;;   hu = product + bias;  z = σ(xz + hu_z);  r = σ(xr + hu_r);  n = tanh(xh + r·hu_h);  h = z·hPrev + (1 − z)·n
;; Writes (z, r, n, hu_h) to `act` [rows, 4·units] for the backward, and h to `hidden`.
  (func (export "gruForward")
    (param $xw i32) (param $product i32) (param $bias i32) (param $hPrev i32)
    (param $act i32) (param $hidden i32) (param $rows i32) (param $units i32)
    (local $u i32) (local $rowIn i32) (local $rowAct i32) (local $rowState i32) (local $row i32) (local $j i32)
    (local $z v128) (local $r v128) (local $n v128) (local $hh v128)
    (local.set $u (i32.shl (local.get $units) (i32.const 2)))
    (local.set $row (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $rowIn (i32.mul (local.get $row) (i32.mul (local.get $u) (i32.const 3))))
      (local.set $rowAct (i32.mul (local.get $row) (i32.shl (local.get $u) (i32.const 2))))
      (local.set $rowState (i32.mul (local.get $row) (local.get $u)))
      (local.set $j (i32.const 0))
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $u)))
        (local.set $z (call $sigmoid (f32x4.add
          (v128.load (i32.add (local.get $xw) (i32.add (local.get $rowIn) (local.get $j))))
          (f32x4.add (call $loadOrZero (local.get $product) (i32.add (local.get $rowIn) (local.get $j)))
                     (v128.load (i32.add (local.get $bias) (local.get $j)))))))
        (local.set $r (call $sigmoid (f32x4.add
          (v128.load (i32.add (local.get $xw) (i32.add (i32.add (local.get $rowIn) (local.get $u)) (local.get $j))))
          (f32x4.add (call $loadOrZero (local.get $product) (i32.add (i32.add (local.get $rowIn) (local.get $u)) (local.get $j)))
                     (v128.load (i32.add (local.get $bias) (i32.add (local.get $u) (local.get $j))))))))
        (local.set $hh (f32x4.add
          (call $loadOrZero (local.get $product) (i32.add (i32.add (local.get $rowIn) (i32.shl (local.get $u) (i32.const 1))) (local.get $j)))
          (v128.load (i32.add (local.get $bias) (i32.add (i32.shl (local.get $u) (i32.const 1)) (local.get $j))))))
        (local.set $n (call $tanh (f32x4.add
          (v128.load (i32.add (local.get $xw) (i32.add (i32.add (local.get $rowIn) (i32.shl (local.get $u) (i32.const 1))) (local.get $j))))
          (f32x4.mul (local.get $r) (local.get $hh)))))
        (v128.store (i32.add (local.get $act) (i32.add (local.get $rowAct) (local.get $j))) (local.get $z))
        (v128.store (i32.add (local.get $act) (i32.add (i32.add (local.get $rowAct) (local.get $u)) (local.get $j))) (local.get $r))
        (v128.store (i32.add (local.get $act) (i32.add (i32.add (local.get $rowAct) (i32.shl (local.get $u) (i32.const 1))) (local.get $j))) (local.get $n))
        (v128.store (i32.add (local.get $act) (i32.add (i32.add (local.get $rowAct) (i32.mul (local.get $u) (i32.const 3))) (local.get $j))) (local.get $hh))
        ;; h = n + z·(hPrev − n)
        (v128.store (i32.add (local.get $hidden) (i32.add (local.get $rowState) (local.get $j)))
          (f32x4.add (local.get $n)
                     (f32x4.mul (local.get $z) (f32x4.sub (call $loadOrZero (local.get $hPrev) (i32.add (local.get $rowState) (local.get $j))) (local.get $n)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $cols)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rows))))

;; GRU backward through one timestep. dh = dy + dhRecurrent + carryIn (the later step's dhu·Uᵀ and
;; dh·z; null pointers for zeros);
;;   dan = dh·(1 − z)·(1 − n²);  daz = dh·(hPrev − n)·z(1 − z);  dar = dan·hu_h·r(1 − r)
;; Writes [daz | dar | dan] to `dx` (the gradient of the input projections), [daz | dar | dan·r] to
;; `dhu` (of the recurrent product with its bias), and dh·z to `carryOut` (may be carryIn).
  (func (export "gruBackward")
    (param $dy i32) (param $dhRecurrent i32) (param $carryIn i32) (param $carryOut i32)
    (param $act i32) (param $hPrev i32) (param $dx i32) (param $dhu i32)
    (param $rows i32) (param $units i32)
    (local $u i32) (local $rowOut i32) (local $rowAct i32) (local $rowState i32) (local $row i32) (local $j i32)
    (local $z v128) (local $r v128) (local $n v128) (local $hh v128) (local $dh v128)
    (local $dan v128) (local $daz v128) (local $dar v128) (local $one v128)
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $u (i32.shl (local.get $units) (i32.const 2)))
    (local.set $row (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $rowOut (i32.mul (local.get $row) (i32.mul (local.get $u) (i32.const 3))))
      (local.set $rowAct (i32.mul (local.get $row) (i32.shl (local.get $u) (i32.const 2))))
      (local.set $rowState (i32.mul (local.get $row) (local.get $u)))
      (local.set $j (i32.const 0))
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $u)))
        (local.set $z (v128.load (i32.add (local.get $act) (i32.add (local.get $rowAct) (local.get $j)))))
        (local.set $r (v128.load (i32.add (local.get $act) (i32.add (i32.add (local.get $rowAct) (local.get $u)) (local.get $j)))))
        (local.set $n (v128.load (i32.add (local.get $act) (i32.add (i32.add (local.get $rowAct) (i32.shl (local.get $u) (i32.const 1))) (local.get $j)))))
        (local.set $hh (v128.load (i32.add (local.get $act) (i32.add (i32.add (local.get $rowAct) (i32.mul (local.get $u) (i32.const 3))) (local.get $j)))))
        (local.set $dh (f32x4.add
          (v128.load (i32.add (local.get $dy) (i32.add (local.get $rowState) (local.get $j))))
          (f32x4.add (call $loadOrZero (local.get $dhRecurrent) (i32.add (local.get $rowState) (local.get $j)))
                     (call $loadOrZero (local.get $carryIn) (i32.add (local.get $rowState) (local.get $j))))))
        (local.set $dan (f32x4.mul (f32x4.mul (local.get $dh) (f32x4.sub (local.get $one) (local.get $z)))
                                   (f32x4.sub (local.get $one) (f32x4.mul (local.get $n) (local.get $n)))))
        (local.set $daz (f32x4.mul
          (f32x4.mul (local.get $dh) (f32x4.sub (call $loadOrZero (local.get $hPrev) (i32.add (local.get $rowState) (local.get $j))) (local.get $n)))
          (f32x4.mul (local.get $z) (f32x4.sub (local.get $one) (local.get $z)))))
        (local.set $dar (f32x4.mul (f32x4.mul (local.get $dan) (local.get $hh))
                                   (f32x4.mul (local.get $r) (f32x4.sub (local.get $one) (local.get $r)))))
        (v128.store (i32.add (local.get $dx) (i32.add (local.get $rowOut) (local.get $j))) (local.get $daz))
        (v128.store (i32.add (local.get $dx) (i32.add (i32.add (local.get $rowOut) (local.get $u)) (local.get $j))) (local.get $dar))
        (v128.store (i32.add (local.get $dx) (i32.add (i32.add (local.get $rowOut) (i32.shl (local.get $u) (i32.const 1))) (local.get $j))) (local.get $dan))
        (v128.store (i32.add (local.get $dhu) (i32.add (local.get $rowOut) (local.get $j))) (local.get $daz))
        (v128.store (i32.add (local.get $dhu) (i32.add (i32.add (local.get $rowOut) (local.get $u)) (local.get $j))) (local.get $dar))
        (v128.store (i32.add (local.get $dhu) (i32.add (i32.add (local.get $rowOut) (i32.shl (local.get $u) (i32.const 1))) (local.get $j)))
          (f32x4.mul (local.get $dan) (local.get $r)))
        (v128.store (i32.add (local.get $carryOut) (i32.add (local.get $rowState) (local.get $j))) (f32x4.mul (local.get $dh) (local.get $z)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $cols)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rows))))

;; Matrix transpose: src [rows, cols] → dst [cols, rows], 4-byte elements. 4×4 blocks moved with
;; shuffles, four source rows at a time (the destination lines they fill stay in cache from one
;; block row to the next); the edges one number at a time. TF.js's own kernel took 8 ms for a
;; [2048, 512] float matrix here (power-of-two strides thrash the cache), several times per pass.
  (func (export "transpose2d") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $i i32) (local $j i32) (local $rowBytes i32) (local $colBytes i32) (local $s i32) (local $d i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $rows4 i32) (local $cols4 i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $colBytes (i32.shl (local.get $rows) (i32.const 2)))
    (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
    ;; 4×4 blocks
    (local.set $i (i32.const 0))
    (block $iDone (loop $iLoop
      (br_if $iDone (i32.ge_u (local.get $i) (local.get $rows4)))
      (local.set $j (i32.const 0))
      (block $jDone (loop $jLoop
        (br_if $jDone (i32.ge_u (local.get $j) (local.get $cols4)))
        (local.set $s (i32.add (local.get $src) (i32.add (i32.mul (local.get $i) (local.get $rowBytes)) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $r0 (v128.load (local.get $s)))
        (local.set $r1 (v128.load (i32.add (local.get $s) (local.get $rowBytes))))
        (local.set $r2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $rowBytes) (i32.const 1)))))
        (local.set $r3 (v128.load (i32.add (local.get $s) (i32.mul (local.get $rowBytes) (i32.const 3)))))
        ;; t0 = a0 b0 a1 b1, t1 = a2 b2 a3 b3, t2 = c0 d0 c1 d1, t3 = c2 d2 c3 d3
        (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
        (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
        (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
        (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
        (local.set $d (i32.add (local.get $dst) (i32.add (i32.mul (local.get $j) (local.get $colBytes)) (i32.shl (local.get $i) (i32.const 2)))))
        (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $d) (local.get $colBytes))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $d) (i32.shl (local.get $colBytes) (i32.const 1)))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
        (v128.store (i32.add (local.get $d) (i32.mul (local.get $colBytes) (i32.const 3)))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $jLoop)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $iLoop)))
    ;; right edge: columns cols4.. of every row
    (local.set $i (i32.const 0))
    (block $eDone (loop $eLoop
      (br_if $eDone (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $j (local.get $cols4))
      (block $ejDone (loop $ejLoop
        (br_if $ejDone (i32.ge_u (local.get $j) (local.get $cols)))
        (i32.store (i32.add (local.get $dst) (i32.add (i32.mul (local.get $j) (local.get $colBytes)) (i32.shl (local.get $i) (i32.const 2))))
          (i32.load (i32.add (local.get $src) (i32.add (i32.mul (local.get $i) (local.get $rowBytes)) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $ejLoop)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $eLoop)))
    ;; bottom edge: rows rows4.., columns before cols4
    (local.set $i (local.get $rows4))
    (block $bDone (loop $bLoop
      (br_if $bDone (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $j (i32.const 0))
      (block $bjDone (loop $bjLoop
        (br_if $bjDone (i32.ge_u (local.get $j) (local.get $cols4)))
        (i32.store (i32.add (local.get $dst) (i32.add (i32.mul (local.get $j) (local.get $colBytes)) (i32.shl (local.get $i) (i32.const 2))))
          (i32.load (i32.add (local.get $src) (i32.add (i32.mul (local.get $i) (local.get $rowBytes)) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $bjLoop)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $bLoop))))
;; Softmax of each row of `logits` [rows, cols] into `probs` (may be the same address), with each
;; row's maximum and its sum of e^(x − max) written to `rowMax` and `rowSum` [rows], from which the
;; caller takes log-sum-exp (there is no log instruction). Any cols: the last cols mod 4 one lane
;; at a time. max and f32.max keep a NaN, so a diverging run's loss turns NaN rather than a number.
  (func (export "softmaxRows")
    (param $logits i32) (param $probs i32) (param $rowMax i32) (param $rowSum i32) (param $rows i32) (param $cols i32)
    (local $row i32) (local $rowBytes i32) (local $whole i32) (local $j i32) (local $in i32) (local $out i32)
    (local $m v128) (local $s v128) (local $e v128) (local $max f32) (local $sum f32) (local $inv f32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $whole (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2)))
    (local.set $row (i32.const 0))
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $in (i32.add (local.get $logits) (i32.mul (local.get $row) (local.get $rowBytes))))
      (local.set $out (i32.add (local.get $probs) (i32.mul (local.get $row) (local.get $rowBytes))))
      ;; the row's maximum
      (local.set $m (f32x4.splat (f32.const -inf)))
      (local.set $j (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $j) (local.get $whole)))
        (local.set $m (f32x4.max (local.get $m) (v128.load (i32.add (local.get $in) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l1)))
      (local.set $max (f32.max (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
                               (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (local.set $max (f32.max (local.get $max) (f32.load (i32.add (local.get $in) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l2)))
      ;; e^(x − max) and its sum
      (local.set $m (f32x4.splat (local.get $max)))
      (local.set $s (v128.const i32x4 0 0 0 0))
      (local.set $j (i32.const 0))
      (block $d3 (loop $l3
        (br_if $d3 (i32.ge_u (local.get $j) (local.get $whole)))
        (local.set $e (call $exp (f32x4.sub (v128.load (i32.add (local.get $in) (local.get $j))) (local.get $m))))
        (v128.store (i32.add (local.get $out) (local.get $j)) (local.get $e))
        (local.set $s (f32x4.add (local.get $s) (local.get $e)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l3)))
      (local.set $sum (f32.add (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s)))
                               (f32.add (f32x4.extract_lane 2 (local.get $s)) (f32x4.extract_lane 3 (local.get $s)))))
      (block $d4 (loop $l4
        (br_if $d4 (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (local.set $e (call $exp (f32x4.splat (f32.sub (f32.load (i32.add (local.get $in) (local.get $j))) (local.get $max)))))
        (f32.store (i32.add (local.get $out) (local.get $j)) (f32x4.extract_lane 0 (local.get $e)))
        (local.set $sum (f32.add (local.get $sum) (f32x4.extract_lane 0 (local.get $e))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l4)))
      ;; normalised
      (local.set $inv (f32.div (f32.const 1) (local.get $sum)))
      (local.set $s (f32x4.splat (local.get $inv)))
      (local.set $j (i32.const 0))
      (block $d5 (loop $l5
        (br_if $d5 (i32.ge_u (local.get $j) (local.get $whole)))
        (v128.store (i32.add (local.get $out) (local.get $j)) (f32x4.mul (v128.load (i32.add (local.get $out) (local.get $j))) (local.get $s)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l5)))
      (block $d6 (loop $l6
        (br_if $d6 (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (f32.store (i32.add (local.get $out) (local.get $j)) (f32.mul (f32.load (i32.add (local.get $out) (local.get $j))) (local.get $inv)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l6)))
      (f32.store (i32.add (local.get $rowMax) (i32.shl (local.get $row) (i32.const 2))) (local.get $max))
      (f32.store (i32.add (local.get $rowSum) (i32.shl (local.get $row) (i32.const 2))) (local.get $sum))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rowLoop))))

;; dst = src · factor over `count` floats (may be the same address).
  (func (export "scale") (param $src i32) (param $dst i32) (param $count i32) (param $factor f32)
    (local $j i32) (local $whole i32) (local $bytes i32) (local $f v128)
    (local.set $bytes (i32.shl (local.get $count) (i32.const 2)))
    (local.set $whole (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2)))
    (local.set $f (f32x4.splat (local.get $factor)))
    (local.set $j (i32.const 0))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $j) (local.get $whole)))
      (v128.store (i32.add (local.get $dst) (local.get $j)) (f32x4.mul (v128.load (i32.add (local.get $src) (local.get $j))) (local.get $f)))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $l1)))
    (block $d2 (loop $l2
      (br_if $d2 (i32.ge_u (local.get $j) (local.get $bytes)))
      (f32.store (i32.add (local.get $dst) (local.get $j)) (f32.mul (f32.load (i32.add (local.get $src) (local.get $j))) (local.get $factor)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $l2))))
;; One Adam step over `count` numbers, in TF.js's AdamOptimizer's own operations and order (so
;; the same float32 results), in one pass instead of its thirteen kernels:
;;   m' = m·β₁ + g·(1 − β₁);  v' = v·β₂ + g²·(1 − β₂);  w' = (m'/(1 − β₁ᵗ)) / (√(v'/(1 − β₂ᵗ)) + ε) · (−lr) + w
;; Writes w', m', v' to their own outputs.
  (func (export "adamUpdate")
    (param $w i32) (param $g i32) (param $m i32) (param $v i32)
    (param $wOut i32) (param $mOut i32) (param $vOut i32) (param $count i32)
    (param $beta1 f32) (param $oneMinusBeta1 f32) (param $beta2 f32) (param $oneMinusBeta2 f32)
    (param $oneMinusAccBeta1 f32) (param $oneMinusAccBeta2 f32) (param $negLr f32) (param $epsilon f32)
    (local $j i32) (local $whole i32) (local $bytes i32)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $b1 v128) (local $c1 v128) (local $b2 v128) (local $c2 v128) (local $a1 v128) (local $a2 v128) (local $lr v128) (local $eps v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $b1 (f32x4.splat (local.get $beta1)))
    (local.set $c1 (f32x4.splat (local.get $oneMinusBeta1)))
    (local.set $b2 (f32x4.splat (local.get $beta2)))
    (local.set $c2 (f32x4.splat (local.get $oneMinusBeta2)))
    (local.set $a1 (f32x4.splat (local.get $oneMinusAccBeta1)))
    (local.set $a2 (f32x4.splat (local.get $oneMinusAccBeta2)))
    (local.set $lr (f32x4.splat (local.get $negLr)))
    (local.set $eps (f32x4.splat (local.get $epsilon)))
    (local.set $bytes (i32.shl (local.get $count) (i32.const 2)))
    (local.set $whole (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $j) (local.get $whole)))
      (local.set $gv (v128.load (i32.add (local.get $g) (local.get $j))))
      (local.set $mv (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $j))) (local.get $b1))
                                (f32x4.mul (local.get $gv) (local.get $c1))))
      (local.set $vv (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $j))) (local.get $b2))
                                (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $c2))))
      (v128.store (i32.add (local.get $mOut) (local.get $j)) (local.get $mv))
      (v128.store (i32.add (local.get $vOut) (local.get $j)) (local.get $vv))
      (v128.store (i32.add (local.get $wOut) (local.get $j))
        (f32x4.add
          (f32x4.mul (f32x4.div (f32x4.div (local.get $mv) (local.get $a1))
                                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (local.get $a2))) (local.get $eps)))
                     (local.get $lr))
          (v128.load (i32.add (local.get $w) (local.get $j)))))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $l1)))
    (block $d2 (loop $l2
      (br_if $d2 (i32.ge_u (local.get $j) (local.get $bytes)))
      (local.set $gs (f32.load (i32.add (local.get $g) (local.get $j))))
      (local.set $ms (f32.add (f32.mul (f32.load (i32.add (local.get $m) (local.get $j))) (local.get $beta1))
                              (f32.mul (local.get $gs) (local.get $oneMinusBeta1))))
      (local.set $vs (f32.add (f32.mul (f32.load (i32.add (local.get $v) (local.get $j))) (local.get $beta2))
                              (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $oneMinusBeta2))))
      (f32.store (i32.add (local.get $mOut) (local.get $j)) (local.get $ms))
      (f32.store (i32.add (local.get $vOut) (local.get $j)) (local.get $vs))
      (f32.store (i32.add (local.get $wOut) (local.get $j))
        (f32.add
          (f32.mul (f32.div (f32.div (local.get $ms) (local.get $oneMinusAccBeta1))
                            (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $oneMinusAccBeta2))) (local.get $epsilon)))
                   (local.get $negLr))
          (f32.load (i32.add (local.get $w) (local.get $j)))))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $l2))))
)
