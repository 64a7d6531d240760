package render

import "image/color"

// The class palettes below were chosen so that every pair of adjacent classes differs by at least
// 10 CIEDE2000 units for normal colour vision (palette_test.go checks this), with lightness
// falling steadily from one end to the other so the order reads in print and to readers with a
// colour-vision deficiency. They keep clear of the hub markers' orange and the gap outlines' red
// only where that matters (the sequential palettes); the Gi* palette is red-blue by convention.

func hexPalette(hex ...uint32) []color.Color {
	out := make([]color.Color, len(hex))
	for i, h := range hex {
		out[i] = color.RGBA{uint8(h >> 16), uint8(h >> 8), uint8(h), 0xff}
	}
	return out
}

// IDACIDecile is a 10-class sequential palette for the IDACI national decile, dark purple through
// blue, teal and green to pale yellow (a viridis-like path in CIELAB with lightness 18 to 99 in
// even steps); decile 1, the most deprived, is darkest and keeps the colour it always had
// (#3f007d). Adjacent deciles differ by at least 12 CIEDE2000 units (the old purple ramp had 3.2
// between deciles 9 and 10 and 7.1 between 1 and 2).
func IDACIDecile() []color.Color {
	return hexPalette(0x3f007d, 0x024191, 0x03629d, 0x0183b0, 0x0aa4c1, 0x4ec1c4, 0x81dabd, 0xb5efa9, 0xeff98a, 0xfffcf2)
}

// TravelTime8 is an 8-class sequential palette for travel time or distance to a hub, near pale and
// far dark: warm white, cyan, blue, violet to dark plum, lightness 98 to 20 in even steps of about
// 11, so the far classes (30-45, 45-60, over 60 minutes) differ in lightness as well as hue. It
// keeps clear of red (the gap outlines) and of the hub markers' orange and green. Adjacent classes
// differ by at least 11 CIEDE2000 units (ColorBrewer BuPu 8, used before, had 5.2).
func TravelTime8() []color.Color {
	return hexPalette(0xfff9ec, 0xa5e6e0, 0x66c9da, 0x20aad8, 0x0787cf, 0x4760b7, 0x593990, 0x4b1a5b)
}

// Diverging7 is the Gi* class palette: hot 99/95/90, not significant, cold 90/95/99. It is
// ColorBrewer RdBu 9 without its two palest tints, so that even the 90% classes (#f4a582,
// #92c5de) stand clear of the near-white "not significant" (#f7f7f7): at least 16 CIEDE2000 units
// between adjacent classes, 27 between hot 90% and not significant (the RdBu 7 used before had
// 9.4 and 14, and its pale peach nearly vanished beside grey).
func Diverging7() []color.Color {
	return hexPalette(0xb2182b, 0xd6604d, 0xf4a582, 0xf7f7f7, 0x92c5de, 0x4393c3, 0x2166ac)
}
