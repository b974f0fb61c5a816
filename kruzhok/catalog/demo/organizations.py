"""The kinds of providers an Omsk parent meets, with their share, profile and name patterns.

Shares are calibrated so that the default catalog looks like the city's real network: many
schools with two or three free clubs each, a few large municipal houses of creativity with a
dozen programmes, arts and sports schools, and a long tail of private studios, NGOs and
individual teachers. ``{n}`` is a number, ``{x}`` a quoted brand name, ``{sport}`` a sport in
the dative («по дзюдо»).
"""

from __future__ import annotations

from dataclasses import dataclass

type Weighted = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class OrgType:
    key: str
    kind: str  # Organization.Kind value
    department: str | None  # catalog.Department slug
    share: float  # percent of all organizations
    load: float  # relative number of activities per organization
    names: tuple[str, ...]
    brands: tuple[str, ...]
    categories: Weighted
    free: float  # probability that an activity is free
    venues: tuple[int, int, int]  # weights of having 1, 2 or 3 venues
    about: tuple[str, ...]
    ovz: float = 0.12


OKRUGS = ("Центральный", "Советский", "Кировский", "Ленинский", "Октябрьский")

SPORT_DATIVE = {
    "football": "футболу", "hockey": "хоккею", "basketball": "баскетболу", "volleyball": "волейболу",
    "swimming": "плаванию", "athletics": "лёгкой атлетике", "gymnastics": "спортивной гимнастике",
    "chess": "шахматам", "karate": "карате", "judo": "дзюдо", "sambo": "самбо", "boxing": "боксу",
    "wrestling": "спортивной борьбе", "taekwondo": "тхэквондо", "fencing": "фехтованию", "tennis": "теннису",
    "table-tennis": "настольному теннису", "skiing": "лыжным гонкам", "figure-skating": "фигурному катанию",
    "cycling": "велоспорту", "climbing": "скалолазанию", "rhythmic-gymnastics": "художественной гимнастике",
}  # fmt: skip

SPORTS: Weighted = (
    ("football", 10), ("hockey", 5), ("basketball", 4), ("volleyball", 4), ("swimming", 6), ("athletics", 4),
    ("gymnastics", 3), ("chess", 3), ("karate", 3), ("judo", 4), ("sambo", 3), ("boxing", 4), ("wrestling", 4),
    ("taekwondo", 2), ("fencing", 1), ("tennis", 2), ("table-tennis", 2), ("skiing", 3), ("figure-skating", 3),
    ("cycling", 1), ("climbing", 1), ("rhythmic-gymnastics", 4),
)  # fmt: skip

POETIC = (
    "Созвездие", "Эврика", "Исток", "Радуга", "Перспектива", "Дружба", "Юность", "Звёздный", "Ровесник",
    "Кругозор", "Мечта", "Галактика", "Открытие", "Поиск", "Восхождение", "Атлант", "Прометей", "Сибиряк",
)  # fmt: skip

TYPES: tuple[OrgType, ...] = (
    OrgType(
        "ddt", "public", "education", 3.0, 7.0,
        ("Дом детского творчества «{x}»", "Центр творчества «{x}»", "Центр детского творчества «{x}»",
         "Детско-юношеский центр «{x}»", "Центр развития творчества детей и юношества «{x}»"),
        OKRUGS + POETIC,
        (("robotics", 4), ("programming", 2), ("engineering-design", 2), ("photo-video", 2), ("animation", 1),
         ("aeromodelling", 1), ("automodelling", 1), ("animal-care", 1), ("ecology", 2), ("mathematics", 1), ("astronomy", 1), ("chess", 3),
         ("general-fitness", 2), ("karate", 2), ("taekwondo", 1), ("drawing", 5), ("applied-arts", 5),
         ("ceramics", 2), ("vocals", 4), ("choir", 1), ("guitar", 2), ("choreography", 6), ("ballroom-dance", 2),
         ("theatre", 3), ("circus", 1), ("design", 1), ("hiking", 2), ("local-history", 2), ("english", 2),
         ("early-development", 4), ("journalism", 1), ("volunteering", 1), ("military-patriotic", 1),
         ("debate", 1), ("psychology", 1), ("literature", 1), ("traffic-safety", 1)),
        0.55, (3, 4, 3),
        ("Муниципальное учреждение дополнительного образования: техническое и художественное творчество, спорт, туризм и социально-гуманитарные программы.",
         "Работают клубы по месту жительства в нескольких микрорайонах округа.",
         "Большинство программ бесплатные, запись через Навигатор дополнительного образования."),
        ovz=0.18,
    ),
    OrgType(
        "tech", "public", "education", 1.0, 5.0,
        ("Центр технического творчества «{x}»", "Станция юных техников №{n}",
         "Центр детского (юношеского) технического творчества «{x}»"),
        ("Пионер", "Импульс", "Старт", "Полёт", "Инженер", "Конструктор"),
        (("robotics", 5), ("programming", 3), ("3d-modeling", 3), ("electronics", 3), ("aeromodelling", 3),
         ("shipmodelling", 2), ("automodelling", 2), ("engineering-design", 3), ("game-development", 1),
         ("web-design", 1), ("photo-video", 1), ("animation", 1)),
        0.75, (6, 3, 1),
        ("Техническое творчество для детей и подростков: от первых моделей до инженерных проектов.",
         "Мастерские оснащены станками, 3D-принтерами и наборами для робототехники."),
    ),
    OrgType(
        "eco", "public", "education", 0.8, 4.0,
        ("Эколого-биологический центр «{x}»", "Станция юных натуралистов «{x}»"),
        ("Исток", "Родник", "Зелёный дом", "Натуралист"),
        (("ecology", 4), ("biology", 4), ("animal-care", 3), ("chemistry", 2), ("geography", 2), ("medicine", 1),
         ("astronomy", 1), ("physics", 1)),
        0.75, (6, 3, 1),
        ("Естественнонаучные программы: живой уголок, оранжерея, лаборатория, летние экспедиции.",),
    ),
    OrgType(
        "tourism", "public", "education", 0.5, 4.0,
        ("Центр детско-юношеского туризма и краеведения «{x}»", "Станция юных туристов «{x}»"),
        ("Азимут", "Меридиан", "Горизонт", "Прииртышье"),
        (("hiking", 4), ("orienteering", 3), ("local-history", 3), ("archaeology", 1), ("excursions", 2),
         ("climbing", 1), ("geography", 1)),
        0.75, (6, 3, 1),
        ("Туризм, ориентирование и краеведение: походы, сборы, экспедиции по Омской области.",),
    ),
    OrgType(
        "dshi", "public", "culture", 4.0, 6.0,
        ("Детская школа искусств №{n}",),
        (),
        (("piano", 5), ("violin", 2), ("folk-instruments", 3), ("wind-instruments", 2), ("guitar", 2),
         ("vocals", 3), ("choir", 3), ("music-school", 3), ("drawing", 4), ("applied-arts", 2), ("design", 1),
         ("choreography", 5), ("theatre", 3), ("circus", 1)),
        0.45, (7, 2, 1),
        ("Школа искусств: музыкальное, хореографическое, художественное и театральное отделения.",
         "Обучение по предпрофессиональным программам бесплатное, есть платные отделения для дошкольников и взрослых."),
    ),
    OrgType(
        "dhsh", "public", "culture", 1.0, 4.0,
        ("Детская художественная школа №{n}",),
        (),
        (("drawing", 6), ("applied-arts", 3), ("ceramics", 2), ("design", 2), ("animation", 1)),
        0.45, (8, 2, 0),
        ("Художественная школа: рисунок, живопись, композиция, история искусств.",),
    ),
    OrgType(
        "dmsh", "public", "culture", 2.0, 5.0,
        ("Детская музыкальная школа №{n}",),
        (),
        (("piano", 6), ("violin", 3), ("folk-instruments", 4), ("wind-instruments", 3), ("guitar", 2),
         ("choir", 3), ("vocals", 2), ("music-school", 4)),
        0.45, (8, 2, 0),
        ("Музыкальная школа: фортепиано, струнные, народные и духовые инструменты, хор.",),
    ),
    OrgType(
        "sport", "public", "youth-sport", 7.0, 6.0,
        ("Спортивная школа олимпийского резерва №{n}", "Спортивная школа олимпийского резерва по {sport}",
         "Детско-юношеская спортивная школа №{n}", "Спортивная школа «{x}»", "СДЮСШОР №{n}"),
        ("Юность", "Иртыш", "Олимп", "Сибирь", "Динамо", "Локомотив", "Авангард", "Торпедо", "Старт"),
        SPORTS,
        0.85, (5, 4, 1),
        ("Муниципальная спортивная школа: спортивная подготовка от начального этапа до высшего спортивного мастерства.",
         "Занятия бесплатные, зачисление по результатам просмотра и нормативов."),
        ovz=0.08,
    ),
    OrgType(
        "school", "public", "education", 20.0, 2.4,
        ("Средняя общеобразовательная школа №{n}", "Гимназия №{n}", "Лицей №{n}",
         "Бюджетное общеобразовательное учреждение города Омска «Средняя общеобразовательная школа №{n}»",
         "Средняя общеобразовательная школа №{n} с углублённым изучением отдельных предметов"),
        (),
        (("robotics", 4), ("programming", 2), ("3d-modeling", 1), ("photo-video", 1), ("chess", 4),
         ("general-fitness", 4), ("football", 3), ("volleyball", 3), ("basketball", 2), ("table-tennis", 1),
         ("athletics", 1), ("skiing", 1), ("traffic-safety", 3), ("military-patriotic", 3), ("journalism", 2),
         ("volunteering", 3), ("theatre", 3), ("choir", 2), ("vocals", 2), ("drawing", 2), ("applied-arts", 2),
         ("choreography", 2), ("local-history", 3), ("hiking", 1), ("ecology", 2), ("biology", 1),
         ("chemistry", 1), ("physics", 1), ("mathematics", 2), ("russian-language", 2), ("english", 1),
         ("debate", 1), ("entrepreneurship", 2), ("medicine", 1), ("literature", 1), ("psychology", 1),
         ("geography", 1), ("archaeology", 1), ("excursions", 1), ("animal-care", 1)),
        0.8, (9, 1, 0),
        ("Кружки и секции при школе открыты для учеников и детей микрорайона.",
         "Занятия бесплатные, проходят после уроков в кабинетах и спортивном зале школы."),
        ovz=0.1,
    ),
    OrgType(
        "robo", "private", None, 6.0, 3.0,
        ("Школа робототехники «{x}»", "IT-школа «{x}»", "Центр технического творчества «{x}»",
         "Школа программирования «{x}»"),
        ("Роботрон", "Кибердом", "Технолаб", "Код будущего", "Пиксель", "Алгоритмика+", "Мозгобот", "Инженериум",
         "РобоКласс", "Нейрон", "Квантик", "Схема"),
        (("robotics", 6), ("programming", 5), ("3d-modeling", 2), ("game-development", 3), ("web-design", 1),
         ("electronics", 1), ("animation", 1), ("engineering-design", 1)),
        0.0, (6, 3, 1),
        ("Частная школа технического творчества: робототехника, программирование, 3D.",
         "Небольшие группы, современное оборудование, бесплатное пробное занятие."),
        ovz=0.06,
    ),
    OrgType(
        "lang", "private", None, 5.0, 3.0,
        ("Школа иностранных языков «{x}»", "Языковой центр «{x}»", "Лингвистический центр «{x}»"),
        ("Лингва", "Полиглот", "Глобус", "Британия", "Инглиш Хаус", "Виндзор", "Оксфорд-клуб", "Лингвомир",
         "Спикер", "Интерлингва"),
        (("english", 8), ("foreign-languages", 4), ("early-development", 1), ("russian-language", 1)),
        0.0, (6, 3, 1),
        ("Иностранные языки для детей от 4 лет и подростков: мини-группы и индивидуальные занятия.",),
        ovz=0.05,
    ),
    OrgType(
        "dance", "private", None, 5.0, 3.0,
        ("Студия танца «{x}»", "Танцевальная школа «{x}»", "Школа танцев «{x}»", "Хореографическая студия «{x}»"),
        ("Пируэт", "Грация", "Антре", "Данс-холл", "Импульс", "Фуэте", "Ритм", "Эдельвейс", "Кураж", "Экспрессия"),
        (("choreography", 8), ("ballroom-dance", 3), ("rhythmic-gymnastics", 1), ("gymnastics", 1)),
        0.0, (6, 3, 1),
        ("Танцевальная студия для детей от 3 лет: современная хореография, эстрадный танец, хип-хоп.",),
        ovz=0.06,
    ),
    OrgType(
        "art", "private", None, 4.0, 3.0,
        ("Арт-студия «{x}»", "Художественная мастерская «{x}»", "Творческая мастерская «{x}»", "Изостудия «{x}»"),
        ("Палитра", "Акварель", "Холст", "Мольберт", "Охра", "Бумажный кот", "Синяя птица", "Кракле", "Терракота"),
        (("drawing", 7), ("ceramics", 3), ("applied-arts", 3), ("design", 1), ("animation", 1)),
        0.0, (7, 2, 1),
        ("Творческая мастерская для детей и подростков: живопись, графика, керамика, ручная работа.",),
        ovz=0.15,
    ),
    OrgType(
        "music", "private", None, 3.0, 2.5,
        ("Музыкальная студия «{x}»", "Школа вокала «{x}»", "Школа музыки «{x}»"),
        ("Камертон", "Октава", "Форте", "Соль", "Аллегро", "Гармония", "Рок-класс", "Ля-минор"),
        (("vocals", 5), ("guitar", 4), ("piano", 3), ("music-school", 1), ("violin", 1)),
        0.0, (8, 2, 0),
        ("Частная музыкальная студия: вокал и инструменты для детей с нуля, выступления и запись в студии.",),
        ovz=0.08,
    ),
    OrgType(
        "early", "private", None, 5.0, 3.0,
        ("Детский центр «{x}»", "Центр развития «{x}»", "Детский клуб «{x}»", "Центр детского развития «{x}»"),
        ("Умка", "Солнышко", "Почемучка", "Кроха", "Теремок", "Маленькая страна", "Бэби-клуб", "Совёнок",
         "Светлячок", "Ладушки", "Мир детства"),
        (("early-development", 8), ("english", 2), ("mathematics", 2), ("drawing", 2), ("choreography", 1),
         ("psychology", 1), ("chess", 1), ("russian-language", 1)),
        0.0, (6, 3, 1),
        ("Центр развития для детей от 3 до 10 лет: подготовка к школе, логопед, творчество.",),
        ovz=0.2,
    ),
    OrgType(
        "sportclub", "private", None, 5.0, 3.0,
        # Names stay general: the club's sports are drawn below, so «футбольная академия» could
        # end up teaching swimming.
        ("Спортивный клуб «{x}»", "Детский спортивный клуб «{x}»", "Спортивный центр «{x}»",
         "Детский фитнес-клуб «{x}»"),
        ("Чемпион", "Олимп", "Лидер", "Атлет", "Титан", "Форвард", "Акварис", "Энергия", "Пантера"),
        (("football", 4), ("swimming", 3), ("gymnastics", 2), ("karate", 2), ("taekwondo", 1),
         ("figure-skating", 2), ("tennis", 2), ("climbing", 1), ("general-fitness", 2),
         ("rhythmic-gymnastics", 2), ("hockey", 1), ("boxing", 1)),
        0.0, (6, 3, 1),
        ("Частный детский спортивный клуб: группы по возрасту, опытные тренеры, выезды на турниры.",),
        ovz=0.05,
    ),
    OrgType(
        "study", "private", None, 3.0, 3.0,
        ("Учебный центр «{x}»", "Центр интеллектуального развития «{x}»", "Образовательный центр «{x}»",
         "Клуб юных исследователей «{x}»"),
        ("Гамбит", "Ферзь", "Логос", "Пифагор", "Эйнштейн", "Умники и умницы", "Знайка", "Эрудит", "Колба"),
        (("chess", 4), ("mathematics", 4), ("russian-language", 2), ("physics", 2), ("chemistry", 2),
         ("biology", 1), ("astronomy", 1), ("programming", 1), ("debate", 1)),
        0.0, (7, 2, 1),
        ("Учебный центр для школьников: олимпиадная подготовка, шахматы, эксперименты.",),
        ovz=0.08,
    ),
    OrgType(
        "stage", "private", None, 1.5, 2.5,
        ("Театральная школа «{x}»", "Актёрская студия «{x}»", "Детский театр «{x}»"),
        ("Браво", "Антракт", "Кулисы", "Премьера", "Рампа", "Арлекин"),
        (("theatre", 5), ("circus", 1), ("debate", 1), ("vocals", 1)),
        0.0, (8, 2, 0),
        ("Театральная студия для детей и подростков: актёрское мастерство, сценическая речь, спектакли.",),
    ),
    OrgType(
        "ngo_sport", "ngo", "youth-sport", 3.5, 2.5,
        ("Спортивный клуб «{x}»", "Федерация {sport_gen} Омской области",
         "Омская городская общественная организация «Спортивный клуб «{x}»»"),
        ("Витязь", "Сибирский медведь", "Самурай", "Кодокан", "Барс", "Спарта", "Русич", "Беркут"),
        (("karate", 4), ("taekwondo", 3), ("sambo", 3), ("judo", 3), ("boxing", 3), ("wrestling", 2),
         ("hockey", 1), ("cycling", 1), ("fencing", 1), ("chess", 2), ("climbing", 1), ("table-tennis", 1)),
        0.4, (6, 3, 1),
        ("Общественная спортивная организация: тренировки, аттестации, выезды на соревнования.",),
        ovz=0.08,
    ),
    OrgType(
        "ngo_social", "ngo", None, 3.5, 2.5,
        ("Автономная некоммерческая организация «Центр развития детей «{x}»»", "АНО «{x}»",
         "Благотворительный фонд «{x}»", "Военно-патриотический клуб «{x}»", "Туристический клуб «{x}»"),
        ("Доброе сердце", "Вектор", "Лучик", "Пересвет", "Рубеж", "Азимут", "Надежда", "Вместе", "Открытый мир"),
        (("psychology", 3), ("early-development", 2), ("volunteering", 3), ("military-patriotic", 3),
         ("hiking", 2), ("orienteering", 1), ("applied-arts", 2), ("theatre", 2), ("journalism", 1),
         ("local-history", 1), ("debate", 1), ("entrepreneurship", 1)),
        0.4, (7, 2, 1),
        ("Некоммерческая организация: программы для детей и семей, часть занятий бесплатна за счёт грантов.",
         "Проекты поддержаны Фондом президентских грантов."),
        ovz=0.35,
    ),
    OrgType(
        "individual", "individual", None, 18.0, 1.4,
        ("ИП {person}",),
        (),
        (("english", 5), ("mathematics", 4), ("piano", 2), ("guitar", 2), ("vocals", 2), ("drawing", 2),
         ("russian-language", 3), ("chess", 1), ("early-development", 2), ("psychology", 1), ("ceramics", 1),
         ("foreign-languages", 2), ("programming", 1), ("applied-arts", 1)),
        0.0, (10, 0, 0),
        ("Частный педагог: занятия в небольших группах и индивидуально.",
         "Индивидуальный подход, занятия в удобное время, возможны онлайн-уроки."),
        ovz=0.1,
    ),
)  # fmt: skip

SPORT_GENITIVE = {
    "karate": "карате", "taekwondo": "тхэквондо", "sambo": "самбо", "judo": "дзюдо", "boxing": "бокса",
    "wrestling": "спортивной борьбы", "hockey": "хоккея", "cycling": "велоспорта", "fencing": "фехтования",
    "chess": "шахмат", "climbing": "скалолазания", "table-tennis": "настольного тенниса",
}  # fmt: skip

# Tax inspection codes of Omsk: the first four digits of an INN issued in the city.
INN_PREFIXES = ("5501", "5503", "5504", "5505", "5506", "5507")
MOBILE_CODES = ("913", "950", "951", "904", "983", "962", "923", "908")

BRANCH_NAMES = {
    "ddt": "Клуб по месту жительства «{x}»",
    "sport": "Спортивный зал «{x}»",
    "school": "Второй корпус",
}
