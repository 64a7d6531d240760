package render

import (
	"image/color"
	"math"
)

// cieLab converts an sRGB colour to CIELAB (D65 white), the space CIEDE2000 works in.
func cieLab(c color.Color) [3]float64 {
	r16, g16, b16, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	r, g, b := lin(r16), lin(g16), lin(b16)
	x := (0.4124564*r + 0.3575761*g + 0.1804375*b) / 0.95047
	y := 0.2126729*r + 0.7151522*g + 0.0721750*b
	z := (0.0193339*r + 0.1191920*g + 0.9503041*b) / 1.08883
	f := func(t float64) float64 {
		if t > 216.0/24389 {
			return math.Cbrt(t)
		}
		return (24389.0/27*t + 16) / 116
	}
	fx, fy, fz := f(x), f(y), f(z)
	return [3]float64{116*fy - 16, 500 * (fx - fy), 200 * (fy - fz)}
}

// deltaE2000 is the CIEDE2000 colour difference of two CIELAB colours (kL = kC = kH = 1), as in
// Sharma, Wu and Dalal (2005), "The CIEDE2000 color-difference formula: implementation notes".
// About 1 is just noticeable side by side; map classes want 10 or more.
func deltaE2000(l1, l2 [3]float64) float64 {
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	L1, a1, b1 := l1[0], l1[1], l1[2]
	L2, a2, b2 := l2[0], l2[1], l2[2]
	cb := (math.Hypot(a1, b1) + math.Hypot(a2, b2)) / 2
	g := 0.5 * (1 - math.Sqrt(math.Pow(cb, 7)/(math.Pow(cb, 7)+math.Pow(25, 7))))
	a1p, a2p := (1+g)*a1, (1+g)*a2
	c1p, c2p := math.Hypot(a1p, b1), math.Hypot(a2p, b2)
	hue := func(b, a float64) float64 {
		if a == 0 && b == 0 {
			return 0
		}
		d := math.Atan2(b, a) * 180 / math.Pi
		if d < 0 {
			d += 360
		}
		return d
	}
	h1p, h2p := hue(b1, a1p), hue(b2, a2p)
	dLp, dCp := L2-L1, c2p-c1p
	dhp := 0.0
	if c1p*c2p != 0 {
		dhp = h2p - h1p
		if dhp > 180 {
			dhp -= 360
		} else if dhp < -180 {
			dhp += 360
		}
	}
	dHp := 2 * math.Sqrt(c1p*c2p) * math.Sin(rad(dhp/2))
	lbp, cbp := (L1+L2)/2, (c1p+c2p)/2
	hbp := h1p + h2p
	if c1p*c2p != 0 {
		switch {
		case math.Abs(h1p-h2p) <= 180:
			hbp = (h1p + h2p) / 2
		case h1p+h2p < 360:
			hbp = (h1p + h2p + 360) / 2
		default:
			hbp = (h1p + h2p - 360) / 2
		}
	}
	t := 1 - 0.17*math.Cos(rad(hbp-30)) + 0.24*math.Cos(rad(2*hbp)) + 0.32*math.Cos(rad(3*hbp+6)) - 0.20*math.Cos(rad(4*hbp-63))
	dTheta := 30 * math.Exp(-math.Pow((hbp-275)/25, 2))
	rc := 2 * math.Sqrt(math.Pow(cbp, 7)/(math.Pow(cbp, 7)+math.Pow(25, 7)))
	sl := 1 + 0.015*(lbp-50)*(lbp-50)/math.Sqrt(20+(lbp-50)*(lbp-50))
	sc := 1 + 0.045*cbp
	sh := 1 + 0.015*cbp*t
	rt := -math.Sin(rad(2*dTheta)) * rc
	return math.Sqrt(math.Pow(dLp/sl, 2) + math.Pow(dCp/sc, 2) + math.Pow(dHp/sh, 2) + rt*(dCp/sc)*(dHp/sh))
}
