//! Care: ISO 3758 textile care symbols and due/overdue maintenance tasks.
//!
//! Due dates are computed from a caller-supplied `today` (the library has no clock).
//! A task is due by time (every N months/days) and/or by usage (every N units of a
//! counter such as litres of water), whichever comes first.

use crate::date::Date;
use crate::pack::{CarePlan, Product};
use crate::text::Lang;
use serde::Serialize;
use std::collections::BTreeMap;

/// The five ISO 3758 symbol groups (drying split into tumble and natural drying).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SymbolCategory {
    /// Washing (wash tub).
    Washing,
    /// Bleaching (triangle).
    Bleaching,
    /// Tumble drying (circle in square).
    TumbleDrying,
    /// Natural drying (square with lines).
    NaturalDrying,
    /// Ironing (iron).
    Ironing,
    /// Professional textile care (circle).
    Professional,
}

/// One ISO 3758 care symbol, identified by a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CareSymbol {
    /// Stable code used in packs, e.g. `wash_40_mild`.
    pub code: &'static str,
    /// Symbol group.
    pub category: SymbolCategory,
    /// German label.
    pub de: &'static str,
    /// English label.
    pub en: &'static str,
}

impl CareSymbol {
    /// The label in `lang`.
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::De => self.de,
            Lang::En => self.en,
        }
    }
}

macro_rules! sym {
    ($code:literal, $cat:ident, $de:literal, $en:literal) => {
        CareSymbol {
            code: $code,
            category: SymbolCategory::$cat,
            de: $de,
            en: $en,
        }
    };
}

/// Every care symbol code a pack may use.
pub const CARE_SYMBOLS: &[CareSymbol] = &[
    sym!(
        "wash_95",
        Washing,
        "Waschen bis 95 °C, Normalwaschgang",
        "Wash at or below 95 °C, normal process"
    ),
    sym!(
        "wash_70",
        Washing,
        "Waschen bis 70 °C, Normalwaschgang",
        "Wash at or below 70 °C, normal process"
    ),
    sym!(
        "wash_60",
        Washing,
        "Waschen bis 60 °C, Normalwaschgang",
        "Wash at or below 60 °C, normal process"
    ),
    sym!(
        "wash_60_mild",
        Washing,
        "Waschen bis 60 °C, Schonwaschgang",
        "Wash at or below 60 °C, mild process"
    ),
    sym!(
        "wash_50",
        Washing,
        "Waschen bis 50 °C, Normalwaschgang",
        "Wash at or below 50 °C, normal process"
    ),
    sym!(
        "wash_50_mild",
        Washing,
        "Waschen bis 50 °C, Schonwaschgang",
        "Wash at or below 50 °C, mild process"
    ),
    sym!(
        "wash_40",
        Washing,
        "Waschen bis 40 °C, Normalwaschgang",
        "Wash at or below 40 °C, normal process"
    ),
    sym!(
        "wash_40_mild",
        Washing,
        "Waschen bis 40 °C, Schonwaschgang",
        "Wash at or below 40 °C, mild process"
    ),
    sym!(
        "wash_40_very_mild",
        Washing,
        "Waschen bis 40 °C, Spezialschonwaschgang (Wolle)",
        "Wash at or below 40 °C, very mild process (wool)"
    ),
    sym!(
        "wash_30",
        Washing,
        "Waschen bis 30 °C, Normalwaschgang",
        "Wash at or below 30 °C, normal process"
    ),
    sym!(
        "wash_30_mild",
        Washing,
        "Waschen bis 30 °C, Schonwaschgang",
        "Wash at or below 30 °C, mild process"
    ),
    sym!(
        "wash_30_very_mild",
        Washing,
        "Waschen bis 30 °C, Spezialschonwaschgang",
        "Wash at or below 30 °C, very mild process"
    ),
    sym!(
        "hand_wash",
        Washing,
        "Handwäsche bis 40 °C",
        "Hand wash, at most 40 °C"
    ),
    sym!("do_not_wash", Washing, "Nicht waschen", "Do not wash"),
    sym!(
        "bleach_any",
        Bleaching,
        "Jedes Bleichmittel erlaubt",
        "Any bleaching agent allowed"
    ),
    sym!(
        "bleach_oxygen_only",
        Bleaching,
        "Nur Sauerstoffbleiche, kein Chlor",
        "Only oxygen/non-chlorine bleach"
    ),
    sym!(
        "do_not_bleach",
        Bleaching,
        "Nicht bleichen",
        "Do not bleach"
    ),
    sym!(
        "tumble_normal",
        TumbleDrying,
        "Trocknen im Tumbler, normale Temperatur",
        "Tumble drying, normal temperature"
    ),
    sym!(
        "tumble_low",
        TumbleDrying,
        "Trocknen im Tumbler, niedrige Temperatur",
        "Tumble drying, low temperature"
    ),
    sym!(
        "do_not_tumble",
        TumbleDrying,
        "Nicht im Tumbler trocknen",
        "Do not tumble dry"
    ),
    sym!(
        "line_dry",
        NaturalDrying,
        "Auf der Leine trocknen",
        "Line drying"
    ),
    sym!(
        "line_dry_shade",
        NaturalDrying,
        "Auf der Leine im Schatten trocknen",
        "Line drying in the shade"
    ),
    sym!(
        "drip_line_dry",
        NaturalDrying,
        "Tropfnass auf der Leine trocknen",
        "Drip line drying"
    ),
    sym!("flat_dry", NaturalDrying, "Liegend trocknen", "Flat drying"),
    sym!(
        "flat_dry_shade",
        NaturalDrying,
        "Liegend im Schatten trocknen",
        "Flat drying in the shade"
    ),
    sym!(
        "drip_flat_dry",
        NaturalDrying,
        "Tropfnass liegend trocknen",
        "Drip flat drying"
    ),
    sym!(
        "iron_high",
        Ironing,
        "Bügeln bis 200 °C",
        "Iron at up to 200 °C"
    ),
    sym!(
        "iron_medium",
        Ironing,
        "Bügeln bis 150 °C",
        "Iron at up to 150 °C"
    ),
    sym!(
        "iron_low",
        Ironing,
        "Bügeln bis 110 °C, ohne Dampf",
        "Iron at up to 110 °C, without steam"
    ),
    sym!("do_not_iron", Ironing, "Nicht bügeln", "Do not iron"),
    sym!(
        "dry_clean_p",
        Professional,
        "Professionelle Reinigung (P), normal",
        "Professional dry cleaning (P), normal"
    ),
    sym!(
        "dry_clean_p_mild",
        Professional,
        "Professionelle Reinigung (P), schonend",
        "Professional dry cleaning (P), mild"
    ),
    sym!(
        "dry_clean_f",
        Professional,
        "Professionelle Reinigung (F, Kohlenwasserstoff), normal",
        "Professional dry cleaning (F, hydrocarbon), normal"
    ),
    sym!(
        "dry_clean_f_mild",
        Professional,
        "Professionelle Reinigung (F), schonend",
        "Professional dry cleaning (F), mild"
    ),
    sym!(
        "do_not_dry_clean",
        Professional,
        "Nicht chemisch reinigen",
        "Do not dry clean"
    ),
    sym!(
        "wet_clean_w",
        Professional,
        "Professionelle Nassreinigung (W), normal",
        "Professional wet cleaning (W), normal"
    ),
    sym!(
        "wet_clean_w_mild",
        Professional,
        "Professionelle Nassreinigung (W), schonend",
        "Professional wet cleaning (W), mild"
    ),
    sym!(
        "do_not_wet_clean",
        Professional,
        "Keine professionelle Nassreinigung",
        "Do not wet clean"
    ),
];

/// Looks up a care symbol by code.
pub fn care_symbol(code: &str) -> Option<&'static CareSymbol> {
    CARE_SYMBOLS.iter().find(|s| s.code == code)
}

/// A care task the user did, with the counter readings at that moment.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CareDone {
    /// Task id from the pack's care plan.
    pub task: String,
    /// When it was done.
    pub date: Date,
    /// Counter readings when it was done (missing counters count as 0).
    #[serde(default)]
    pub counters: BTreeMap<String, f64>,
}

/// How urgent a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// Past its due date or usage interval.
    Overdue,
    /// Due within [`DUE_SOON_DAYS`] days or the last 10 % of its usage interval.
    Due,
    /// Later.
    Upcoming,
}

/// Days before the due date from which a task counts as due.
pub const DUE_SOON_DAYS: i64 = 14;
/// Fraction of a usage interval left from which a task counts as due.
pub const DUE_SOON_USAGE: f64 = 0.1;

/// Usage side of a task's status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageStatus {
    /// Counter id.
    pub counter: String,
    /// Counter unit.
    pub unit: String,
    /// Used since the task was last done (or since the start).
    pub used: f64,
    /// Interval from the care plan.
    pub interval: f64,
    /// Left until due (negative when overdue).
    pub left: f64,
}

/// The status of one care task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskStatus {
    /// Task id.
    pub task: String,
    /// Task title in the requested language.
    pub title: String,
    /// What to do, in the requested language.
    pub instructions: String,
    /// Urgency.
    pub state: TaskState,
    /// What made it due: `"time"` or `"usage"`.
    pub reason: &'static str,
    /// Due date by time, if the task has a time interval.
    pub due_date: Option<Date>,
    /// Days from today to `due_date` (negative when overdue).
    pub days_left: Option<i64>,
    /// Usage progress, if the task has a usage interval.
    pub usage: Option<UsageStatus>,
    /// When it was last done (`None`: never, counted from `since`).
    pub last_done: Option<Date>,
}

/// Bad input to the care computation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CareError {
    /// A counter the product does not have.
    #[error("unknown usage counter {name:?} for product {product} (known: {known})")]
    UnknownCounter {
        /// The name given.
        name: String,
        /// Product id.
        product: String,
        /// Comma-separated known counters (or "none").
        known: String,
    },
    /// Negative or non-finite counter value.
    #[error("usage counter {name} = {value} must be a finite number ≥ 0")]
    BadCounterValue {
        /// Counter id.
        name: String,
        /// The value given.
        value: f64,
    },
    /// A counter lower than at an earlier care entry.
    #[error(
        "usage counter {counter} went backwards: {now} now but {before} on {date} (counters only grow; was the device reset?)"
    )]
    CounterBackwards {
        /// Counter id.
        counter: String,
        /// Reading at the earlier entry.
        before: f64,
        /// Date of the earlier entry.
        date: Date,
        /// Current reading.
        now: f64,
    },
    /// `today` earlier than the start date.
    #[error("today ({today}) is before the start date ({since})")]
    TodayBeforeSince {
        /// Start date.
        since: Date,
        /// Today.
        today: Date,
    },
    /// A log entry after today.
    #[error("care log entry for {task} on {date} lies after today ({today})")]
    LogInFuture {
        /// Task id.
        task: String,
        /// Entry date.
        date: Date,
        /// Today.
        today: Date,
    },
    /// The product has no care plan.
    #[error("product {0} has no care plan in this pack")]
    NoCarePlan(String),
}

/// Checks counter names and values against the product's counters.
pub fn check_usage(product: &Product, usage: &BTreeMap<String, f64>) -> Result<(), CareError> {
    for (name, &value) in usage {
        if !product.counters.iter().any(|c| &c.id == name) {
            let known: Vec<&str> = product.counters.iter().map(|c| c.id.as_str()).collect();
            return Err(CareError::UnknownCounter {
                name: name.clone(),
                product: product.id.clone(),
                known: if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                },
            });
        }
        if !value.is_finite() || value < 0.0 {
            return Err(CareError::BadCounterValue {
                name: name.clone(),
                value,
            });
        }
    }
    Ok(())
}

/// Computes every task of `plan` for a product used since `since`, given current counter
/// readings (`usage`), what was done (`log`) and `today`. Sorted: overdue, due, upcoming;
/// then by due date and task id.
pub fn due_tasks(
    product: &Product,
    plan: &CarePlan,
    since: Date,
    today: Date,
    usage: &BTreeMap<String, f64>,
    log: &[CareDone],
    lang: Lang,
) -> Result<Vec<TaskStatus>, CareError> {
    if today < since {
        return Err(CareError::TodayBeforeSince { since, today });
    }
    check_usage(product, usage)?;
    for e in log {
        if e.date > today {
            return Err(CareError::LogInFuture {
                task: e.task.clone(),
                date: e.date,
                today,
            });
        }
        for (c, &before) in &e.counters {
            if let Some(&now) = usage.get(c)
                && now < before
            {
                return Err(CareError::CounterBackwards {
                    counter: c.clone(),
                    before,
                    date: e.date,
                    now,
                });
            }
        }
    }
    let mut out = Vec::with_capacity(plan.tasks.len());
    for task in &plan.tasks {
        // Latest entry for this task; ties on the date keep the later log position.
        let last = log
            .iter()
            .filter(|e| e.task == task.id)
            .max_by_key(|e| e.date);
        let start = last.map_or(since, |e| e.date.max(since));
        let mut state = TaskState::Upcoming;
        let mut reason = "time";
        let (mut due_date, mut days_left) = (None, None);
        if let Some(d) = task.interval.due_after(start) {
            let left = today.days_until(d);
            let s = if left < 0 {
                TaskState::Overdue
            } else if left <= DUE_SOON_DAYS {
                TaskState::Due
            } else {
                TaskState::Upcoming
            };
            state = s;
            due_date = Some(d);
            days_left = Some(left);
        }
        let mut usage_status = None;
        if let Some(u) = &task.interval.usage {
            let unit = product
                .counters
                .iter()
                .find(|c| c.id == u.counter)
                .map_or("", |c| c.unit.as_str());
            let baseline = last
                .and_then(|e| e.counters.get(&u.counter))
                .copied()
                .unwrap_or(0.0);
            // Without a current reading the usage side is unknown: assume nothing used.
            let now = usage.get(&u.counter).copied().unwrap_or(baseline);
            let used = now - baseline;
            let left = u.amount - used;
            let s = if left <= 0.0 {
                TaskState::Overdue
            } else if left <= u.amount * DUE_SOON_USAGE {
                TaskState::Due
            } else {
                TaskState::Upcoming
            };
            if s < state || task.interval.is_usage_only() {
                state = s;
                reason = "usage";
            }
            usage_status = Some(UsageStatus {
                counter: u.counter.clone(),
                unit: unit.to_string(),
                used,
                interval: u.amount,
                left,
            });
        }
        out.push(TaskStatus {
            task: task.id.clone(),
            title: task.title.get(lang).to_string(),
            instructions: task.instructions.get(lang).to_string(),
            state,
            reason,
            due_date,
            days_left,
            usage: usage_status,
            last_done: last.map(|e| e.date),
        });
    }
    out.sort_by(|a, b| {
        a.state
            .cmp(&b.state)
            .then(
                a.due_date
                    .unwrap_or(Date::from_days(i64::MAX))
                    .cmp(&b.due_date.unwrap_or(Date::from_days(i64::MAX))),
            )
            .then(a.task.cmp(&b.task))
    });
    Ok(out)
}
