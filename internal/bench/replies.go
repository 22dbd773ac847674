package bench

// A replyStream is what is checked of one connection's replies, whichever
// engine moves the bytes: they come as a byte stream, cut anywhere, and are
// reassembled by length into replies of size bytes, each compared byte for
// byte with the payload's expected reply at its offset.
type replyStream struct {
	off int64 // the payload offset of the next reply byte
	got int64 // bytes of the current reply so far
	bad bool  // the current reply differs from what was expected
}

// next checks the bytes of p up to the end of the current reply, and
// returns how many it took, whether they completed the reply, and whether
// that reply was as expected.
func (s *replyStream) next(pay *payload, size int64, p []byte) (n int, complete, ok bool) {
	k := min(size-s.got, int64(len(p)), maxChunk)
	if !pay.check(s.off, p[:k]) {
		s.bad = true
	}
	s.off += k
	s.got += k
	if s.got < size {
		return int(k), false, false
	}
	ok = !s.bad
	s.got, s.bad = 0, false
	return int(k), true, ok
}
