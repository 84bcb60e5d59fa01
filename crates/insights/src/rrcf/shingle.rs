//! Shingling: turning a stream of `d`-dimensional points into overlapping windows.

use crate::InsightsError;

/// Turns a stream of `dims`-dimensional points into overlapping windows of the last `size`
/// points, flattened oldest first into `size × dims` values.
///
/// Shingling lets a forest see shapes in time (a spike, a level shift, a change of rhythm)
/// rather than single points: a window whose shape is unusual scores high even when each of its
/// points is ordinary on its own.
///
/// ```
/// use bullpen_insights::rrcf::Shingle;
///
/// let mut s = Shingle::new(1, 3).unwrap();
/// assert!(s.push(&[1.0]).unwrap().is_none());
/// assert!(s.push(&[2.0]).unwrap().is_none());
/// assert_eq!(s.push(&[3.0]).unwrap(), Some(&[1.0, 2.0, 3.0][..]));
/// assert_eq!(s.push(&[4.0]).unwrap(), Some(&[2.0, 3.0, 4.0][..]));
/// ```
#[derive(Clone, Debug)]
pub struct Shingle {
    dims: usize,
    size: usize,
    ring: Vec<f64>,
    /// Slot of the next point to write (the oldest point once full).
    next: usize,
    filled: usize,
    out: Vec<f64>,
}

impl Shingle {
    /// A shingle of `size` points of `dims` coordinates each; both must be at least 1.
    pub fn new(dims: usize, size: usize) -> Result<Self, InsightsError> {
        if dims == 0 || size == 0 {
            return Err(InsightsError::InvalidConfig(format!(
                "a shingle needs at least one dimension and one point (got dims {dims}, size {size})"
            )));
        }
        Ok(Shingle { dims, size, ring: vec![0.0; dims * size], next: 0, filled: 0, out: vec![0.0; dims * size] })
    }

    /// Length of the windows produced (`size × dims`).
    pub fn output_dims(&self) -> usize {
        self.dims * self.size
    }

    /// Adds a point; once `size` points have been seen, returns the current window (oldest
    /// first). A point of the wrong dimension is refused and changes nothing.
    pub fn push(&mut self, point: &[f64]) -> Result<Option<&[f64]>, InsightsError> {
        if point.len() != self.dims {
            return Err(InsightsError::DimensionMismatch { expected: self.dims, got: point.len() });
        }
        let d = self.dims;
        self.ring[self.next * d..(self.next + 1) * d].copy_from_slice(point);
        self.next = (self.next + 1) % self.size;
        self.filled = (self.filled + 1).min(self.size);
        if self.filled < self.size {
            return Ok(None);
        }
        // Oldest point is at `next`.
        let split = self.next * d;
        let tail = self.ring.len() - split;
        self.out[..tail].copy_from_slice(&self.ring[split..]);
        self.out[tail..].copy_from_slice(&self.ring[..split]);
        Ok(Some(&self.out))
    }

    /// Forgets all points (the next window is produced after `size` new points).
    pub fn reset(&mut self) {
        self.next = 0;
        self.filled = 0;
    }
}
