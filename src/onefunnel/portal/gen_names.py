"""Small word lists for the synthetic portal (people, companies, places, titles).

Shipped with the code so generation needs no faker and stays deterministic.
"""

from __future__ import annotations

# fmt: off
FIRST_NAMES = (
    'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
    'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
    'Christopher', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Betty', 'Anthony', 'Sandra', 'Mark', 'Margaret',
    'Donald', 'Ashley', 'Steven', 'Kimberly', 'Andrew', 'Emily', 'Paul', 'Donna', 'Joshua', 'Michelle',
    'Kenneth', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Melissa', 'George', 'Deborah', 'Timothy', 'Stephanie',
    'Ronald', 'Rebecca', 'Jason', 'Sharon', 'Edward', 'Laura', 'Jeffrey', 'Cynthia', 'Ryan', 'Amy', 'Jacob',
    'Kathleen', 'Gary', 'Angela', 'Nicholas', 'Shirley', 'Eric', 'Brenda', 'Jonathan', 'Emma', 'Stephen',
    'Anna', 'Larry', 'Pamela', 'Justin', 'Nicole', 'Scott', 'Samantha', 'Brandon', 'Katherine', 'Benjamin',
    'Christine', 'Samuel', 'Helen', 'Gregory', 'Debra', 'Alexander', 'Rachel', 'Patrick', 'Carolyn',
    'Frank', 'Janet', 'Raymond', 'Maria', 'Jack', 'Olivia', 'Dennis', 'Heather', 'Jerry', 'Diane', 'Tyler',
    'Julie', 'Aaron', 'Joyce', 'Jose', 'Victoria', 'Adam', 'Ruth', 'Nathan', 'Virginia', 'Henry', 'Lauren',
    'Zachary', 'Kelly', 'Douglas', 'Christina', 'Peter', 'Joan', 'Kyle', 'Evelyn', 'Noah', 'Judith',
    'Ethan', 'Andrea', 'Jeremy', 'Hannah', 'Walter', 'Megan', 'Christian', 'Cheryl', 'Keith', 'Jacqueline',
    'Roger', 'Martha', 'Terry', 'Madison', 'Austin', 'Teresa', 'Sean', 'Gloria', 'Gerald', 'Sara', 'Carl',
    'Janice', 'Harold', 'Ann', 'Dylan', 'Kathryn', 'Arthur', 'Abigail', 'Lawrence', 'Sophia', 'Jordan',
    'Frances', 'Jesse', 'Jean', 'Bryan', 'Alice', 'Billy', 'Judy', 'Bruce', 'Isabella', 'Gabriel', 'Julia',
    'Joe', 'Grace', 'Logan', 'Amber', 'Alan', 'Denise', 'Juan', 'Danielle', 'Priya', 'Wei', 'Aisha',
    'Mateo', 'Sofia', 'Lukas', 'Hiroshi', 'Yuki', 'Ananya', 'Chen', 'Fatima', 'Omar', 'Ingrid', 'Lars',
    'Elena', 'Marco', 'Giulia', 'Pierre', 'Camille', 'Sven', 'Astrid', 'Rafael', 'Lucia', 'Arjun', 'Mei',
    'Kwame', 'Amara', 'Tomasz', 'Zofia', 'Niamh', 'Declan',
)

LAST_NAMES = (
    'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
    'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson',
    'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis',
    'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
    'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
    'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz', 'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes',
    'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers', 'Gutierrez', 'Ortiz', 'Morgan', 'Cooper',
    'Peterson', 'Bailey', 'Reed', 'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward', 'Richardson', 'Watson',
    'Brooks', 'Chavez', 'Wood', 'James', 'Bennett', 'Gray', 'Mendoza', 'Ruiz', 'Hughes', 'Price', 'Alvarez',
    'Castillo', 'Sanders', 'Patel', 'Myers', 'Long', 'Ross', 'Foster', 'Jimenez', 'Powell', 'Jenkins',
    'Perry', 'Russell', 'Sullivan', 'Bell', 'Coleman', 'Butler', 'Henderson', 'Barnes', 'Gonzales',
    'Fisher', 'Vasquez', 'Simmons', 'Romero', 'Jordan', 'Patterson', 'Alexander', 'Hamilton', 'Graham',
    'Reynolds', 'Griffin', 'Wallace', 'Moreno', 'West', 'Cole', 'Hayes', 'Bryant', 'Herrera', 'Gibson',
    'Ellis', 'Tran', 'Medina', 'Aguilar', 'Stevens', 'Murray', 'Ford', 'Castro', 'Marshall', 'Owens',
    'Harrison', 'Fernandez', 'McDonald', 'Woods', 'Washington', 'Kennedy', 'Wells', 'Vargas', 'Henry',
    'Chen', 'Freeman', 'Webb', 'Tucker', 'Guzman', 'Burns', 'Crawford', 'Olson', 'Simpson', 'Porter',
    'Hunter', 'Gordon', 'Mendez', 'Silva', 'Shaw', 'Snyder', 'Mason', 'Dixon', 'Munoz', 'Mueller',
    'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Dubois', 'Laurent', 'Bernard',
    'Rossi', 'Russo', 'Ferrari', 'Esposito', 'Johansson', 'Lindqvist', 'Nielsen', 'Hansen', 'Kowalski',
    'Nowak', 'Tanaka', 'Suzuki', 'Sato', 'Singh', 'Sharma', 'Okafor', 'Mensah', 'Haddad', 'Khan', 'Ali',
    "O'Brien", 'Byrne', 'Murphy-Kane', 'Van', 'der', 'Berg', 'De', 'Vries',
)

COMPANY_PREFIXES = (
    'Blue', 'Red', 'Green', 'Silver', 'Golden', 'Iron', 'North', 'South', 'East', 'West', 'Bright', 'Clear',
    'Swift', 'Rapid', 'Prime', 'Apex', 'Summit', 'Harbor', 'River', 'Lake', 'Ocean', 'Coastal', 'Mountain',
    'Pine', 'Oak', 'Cedar', 'Maple', 'Stone', 'Granite', 'Crystal', 'Quantum', 'Vector', 'Nova', 'Stellar',
    'Lunar', 'Solar', 'Atlas', 'Titan', 'Orion', 'Polaris', 'Zenith', 'Vertex', 'Helix', 'Pixel', 'Signal',
    'Beacon', 'Anchor', 'Bridge', 'Canyon', 'Delta', 'Echo', 'Falcon', 'Fox', 'Hawk', 'Eagle', 'Lion',
    'Wolf', 'Bear', 'Tiger', 'Cobalt', 'Copper', 'Onyx', 'Ruby', 'Sapphire', 'Jade', 'Amber', 'Crimson',
    'Indigo', 'Violet', 'Scarlet', 'Arctic', 'Tundra', 'Prairie', 'Meadow', 'Willow', 'Birch', 'Aspen',
    'Sequoia', 'Redwood', 'Highland', 'Lowland', 'Union', 'Liberty', 'Pioneer', 'Frontier', 'Keystone',
    'Cornerstone', 'Landmark', 'Horizon', 'Skyline', 'Sunrise', 'Sunset', 'Evergreen', 'True', 'Bold',
    'Smart', 'Clever', 'Agile', 'Nimble', 'Lucid', 'Vivid', 'Brisk', 'Deep', 'Open', 'Core', 'Peak',
    'Crest', 'Ridge', 'Vale', 'Glen', 'Brook', 'Bay', 'Port', 'Cape', 'Point', 'Grove', 'Field', 'Forge',
    'Mill', 'Works', 'Hub', 'Nexus', 'Axis', 'Orbit', 'Pulse', 'Wave', 'Spark', 'Flux', 'Fusion',
    'Catalyst', 'Element', 'Carbon', 'Neon', 'Argon', 'Radius', 'Sigma', 'Omega', 'Alpha', 'Beta', 'Gamma',
    'Kappa', 'Lambda', 'Theta', 'Meridian', 'Parallel', 'Latitude', 'Compass', 'Lighthouse', 'Keel', 'Mast',
    'Harborview',
)

COMPANY_CORES = (
    'Analytics', 'Systems', 'Software', 'Labs', 'Data', 'Cloud', 'Networks', 'Solutions', 'Dynamics',
    'Logistics', 'Health', 'Capital', 'Partners', 'Ventures', 'Robotics', 'Energy', 'Media', 'Digital',
    'Security', 'Health', 'Finance', 'Insights', 'Learning', 'Commerce', 'Logic', 'Metrics', 'Signals',
    'Devices', 'Works', 'Technologies', 'Bio', 'Pharma', 'Foods', 'Motors', 'Materials', 'Retail',
    'Markets', 'Consulting', 'Advisors', 'Interactive', 'Studios', 'Mobility', 'Payments', 'Insurance',
    'Properties', 'Manufacturing', 'Foundry', 'Telecom', 'Semiconductors', 'Automation', 'Instruments',
    'Diagnostics', 'Genomics', 'Therapeutics', 'Outfitters', 'Supply', 'Freight', 'Aviation', 'Marine',
    'Textiles', 'Brands', 'Kitchens', 'Home', 'Labs', 'Platforms', 'Apps', 'Code', 'Stack', 'Ops', 'Grid',
)

# fmt: on

COMPANY_SUFFIXES = ("Inc", "LLC", "Group", "Co", "Corp", "Ltd", "GmbH", "Holdings", "", "", "", "")

TLDS = ("com", "com", "com", "io", "co", "net", "ai", "de", "co.uk", "fr")

FREE_EMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "proton.me")

# country -> (weight, cities, phone prefix)
COUNTRIES: dict[str, tuple[float, tuple[str, ...], str]] = {
    "United States": (
        0.52,
        (
            "New York",
            "San Francisco",
            "Austin",
            "Boston",
            "Chicago",
            "Seattle",
            "Denver",
            "Atlanta",
            "Los Angeles",
            "Miami",
            "Raleigh",
            "Minneapolis",
        ),
        "+1",
    ),
    "Canada": (0.06, ("Toronto", "Vancouver", "Montreal", "Calgary"), "+1"),
    "United Kingdom": (0.12, ("London", "Manchester", "Edinburgh", "Bristol", "Leeds"), "+44"),
    "Germany": (0.08, ("Berlin", "Munich", "Hamburg", "Frankfurt", "Cologne"), "+49"),
    "France": (0.05, ("Paris", "Lyon", "Toulouse", "Nantes"), "+33"),
    "Netherlands": (0.04, ("Amsterdam", "Rotterdam", "Utrecht"), "+31"),
    "Australia": (0.04, ("Sydney", "Melbourne", "Brisbane"), "+61"),
    "India": (0.05, ("Bangalore", "Mumbai", "Pune", "Hyderabad"), "+91"),
    "Sweden": (0.02, ("Stockholm", "Gothenburg"), "+46"),
    "Brazil": (0.02, ("Sao Paulo", "Rio de Janeiro"), "+55"),
}

# country -> postal code templates, one picked per contact ("#" a digit, "%" a digit 1-9, "@" a letter);
# the United States repeats plain ZIP so that one in four contacts has a ZIP+4
POSTAL_CODE_FORMATS: dict[str, tuple[str, ...]] = {
    "United States": ("#####", "#####", "#####", "#####-####"),
    "Canada": ("@%@ %@%",),
    "United Kingdom": ("@@%@ %@@",),
    "Germany": ("%####",),
    "France": ("%####",),
    "Netherlands": ("%### @@",),
    "Australia": ("%###",),
    "India": ("%#####",),
    "Sweden": ("%## ##",),
    "Brazil": ("#####-###",),
}

# seniority value -> job titles (by function, mixed)
JOB_TITLES: dict[str, tuple[str, ...]] = {
    "executive": ("CEO", "CTO", "CFO", "COO", "Chief Revenue Officer", "Chief Data Officer", "Founder"),
    "vp": (
        "VP of Sales",
        "VP of Marketing",
        "VP Engineering",
        "VP Operations",
        "VP Revenue Operations",
        "VP Finance",
    ),
    "director": (
        "Director of Marketing",
        "Director of Sales Operations",
        "Director of Engineering",
        "Director of Analytics",
        "Head of Growth",
        "Head of RevOps",
        "Director of IT",
    ),
    "manager": (
        "Marketing Manager",
        "Sales Operations Manager",
        "Engineering Manager",
        "Analytics Manager",
        "Operations Manager",
        "Demand Generation Manager",
        "IT Manager",
        "Project Manager",
    ),
    "individual_contributor": (
        "Data Analyst",
        "Software Engineer",
        "Marketing Specialist",
        "Sales Development Representative",
        "Business Analyst",
        "Data Engineer",
        "Account Executive",
        "Operations Analyst",
        "Consultant",
    ),
    "student": ("Student", "Graduate Student", "PhD Candidate", "Research Assistant", "Intern"),
}

FORM_NAMES = (
    "Demo request",
    "Contact sales",
    "Ebook: The Funnel Playbook",
    "Webinar registration: Pipeline Analytics",
    "Newsletter signup",
    "Free trial signup",
    "Pricing page form",
    "Whitepaper: RevOps Benchmarks",
    "Event registration",
    "ROI calculator",
)

EMAIL_SUBJECTS_OUT = (
    "Quick question",
    "Following up on your demo request",
    "Ideas for your team",
    "Re: pricing",
    "Checking in",
    "Next steps",
    "Recap of our call",
    "Proposal attached",
    "Can we find 15 minutes?",
    "Resources you asked for",
)
EMAIL_SUBJECTS_IN = (
    "Re: Quick question",
    "Re: Next steps",
    "Re: Proposal attached",
    "Question about pricing",
    "Re: Checking in",
)
MARKETING_EMAIL_SUBJECTS = (
    "Your webinar recording",
    "Thanks for visiting our booth",
    "Invitation: customer roundtable",
    "Your ebook is ready",
)
NOTE_BODIES = (
    "Spoke with the team lead; evaluating options this quarter.",
    "Interested in the reporting module, budget not confirmed.",
    "Asked for a security questionnaire.",
    "Decision expected after board meeting.",
    "Champion identified; needs buy-in from finance.",
    "Not a fit right now, revisit next year.",
    "Current tool contract ends in three months.",
)
MARKETING_NOTE_BODIES = (
    "Attended the Pipeline Analytics webinar.",
    "Visited our booth at SaaStr; scanned badge.",
    "Downloaded the RevOps benchmark report.",
    "Joined the customer roundtable waiting list.",
)
MEETING_TITLES = (
    "Discovery call",
    "Product demo",
    "Technical deep dive",
    "Pricing discussion",
    "Kick-off",
    "Quarterly business review",
)
TASK_SUBJECTS = (
    "Follow up with new MQL",
    "Call back",
    "Send proposal",
    "Prepare demo",
    "Check in after demo",
    "Confirm decision maker",
    "Send contract",
)
CLOSED_LOST_REASONS = (
    "Price",
    "Lost to competitor",
    "No decision / timing",
    "Missing feature",
    "Went dark",
    "Budget cut",
)
